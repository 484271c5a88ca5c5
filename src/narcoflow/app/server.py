"""Building and serving the dashboard app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dash import Dash

from narcoflow.app import pages
from narcoflow.app.callbacks import Settings, register
from narcoflow.app.jobs import JobManager

__all__ = ["create_app", "serve"]

ASSETS = Path(__file__).parent / "assets"


def create_app(
    cache: Path,
    store: str | None = None,
    max_members: int = 200,
    workers: int = 2,
    job_timeout: float = 900.0,
) -> tuple[Dash, JobManager]:
    """The Dash app and its job manager; runs and uploads are kept under ``cache``.

    ``max_members`` caps the members of a run, ``workers`` the simulations at once and ``job_timeout``
    (seconds) the time a job may take before it is ended.
    """
    cache = Path(cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    jobs = JobManager(cache, workers=workers, timeout=job_timeout)
    app = Dash(
        __name__,
        title="NarcoFlow",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
    )
    app.layout = pages.shell()
    register(app, jobs, Settings(cache=cache, store=store, max_members=max_members))
    return app, jobs


def serve(host: str = "127.0.0.1", port: int = 8050, threads: int = 8, **options: Any) -> None:
    """Run the dashboard until interrupted, with waitress (a WSGI server with a pool of ``threads``
    and persistent connections; Flask's own server is for development only)."""
    from waitress import serve as waitress_serve

    app, jobs = create_app(**options)
    try:
        waitress_serve(app.server, host=host, port=port, threads=threads, ident="narcoflow")
    finally:
        jobs.shutdown()
