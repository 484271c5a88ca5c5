"""Members' parameters: which posterior a run draws from, and which parameters it leaves out.

A scenario that ships a posterior (``calibration.posterior``) draws each member's calibrated parameters
from it (:meth:`narcoflow.calibrate.Posterior.member_table`). A parameter that the user fixed — with
``--set``, in a file that ``extends`` the scenario, or by varying it in an experiment — keeps that value
for every member instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from narcoflow.calibrate.posterior import Posterior
from narcoflow.scenario.parameters import iter_params
from narcoflow.scenario.schema import Scenario


def choose_posterior(
    scenario: Scenario, posterior: str | Path | bool | None = True
) -> tuple[Posterior | None, str | None]:
    """The posterior to draw from and its file: ``True`` the scenario's own (if any), ``False``/``None``
    none, a path that file (checked against the scenario)."""
    from narcoflow.calibrate import scenario_posterior

    if posterior is None or posterior is False:
        return None, None
    if posterior is True:
        found = scenario_posterior(scenario)
        return (None, None) if found is None else found
    post = Posterior.load(posterior)
    post.check(scenario, file=str(posterior))
    return post, str(posterior)


def kept_parameters(scenario: Scenario, post: Posterior, fixed: Iterable[str] = ()) -> list[str]:
    """The posterior's parameters that members do not draw: set by the user (``fixed``, e.g. ``--set``
    paths) or by a file in the scenario's ``extends`` chain."""
    chosen = {f.removesuffix(".value") for f in fixed} | set(scenario.changed_parameters)
    return [n for n in post.names if n in chosen]


def kept_note(scenario: Scenario, post: Posterior, kept: list[str], file: str | None) -> str:
    """One line that says which posterior parameters every member keeps at the scenario's value."""
    params = iter_params(scenario)
    drawn = len(post.names) - len(kept)
    values = ", ".join(f"{n}={params[n].value:g}" for n in kept)
    return (
        f"posterior {Path(file or '').name}: {drawn} parameters drawn per member; every member keeps "
        f"{values} (set by the scenario or --set, not drawn)"
    )
