"""The web dashboard (``narcoflow dashboard``): Dash pages over background simulation jobs.

:func:`create_app` builds the Dash app and its :class:`~narcoflow.app.jobs.JobManager`;
:func:`serve` runs it (on 127.0.0.1 unless told otherwise). Everything the pages load is served by the
app itself (Dash's and plotly's JavaScript from the installed packages): no CDN, no tiles.
"""

from __future__ import annotations

from narcoflow.app.server import create_app, serve

__all__ = ["create_app", "serve"]
