"""``narcoflow optimize``: interdiction planning from the command line.

``optimize_app`` is a typer sub-app (added to the main command as ``optimize``)::

    narcoflow optimize maxflow --instance net.json --budget 3 [--json] [--time-limit 60]
    narcoflow optimize allocate --targets targets.csv --resources 2.5 [--json] [--qr-lambda 0.8]

With ``--json`` exactly one JSON object is printed on standard output.  User errors print
``error: FILE:LINE: field: message`` on standard error and exit with status 2; warnings (e.g. an
unreachable sink) go to standard error as ``warning: ...``.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from narcoflow.console import console, fail, warn
from narcoflow.errors import NarcoFlowError

optimize_app = typer.Typer(
    help="Interdiction planning: max-flow network interdiction and Stackelberg coverage allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]


def _warn(caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        warn(w.message)


def _echo_json(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, allow_nan=False))


TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help="Seconds the command may take, counted from its start (default: none). On the limit the "
        "best plan found so far is printed, with status time_limit.",
    ),
]


def _process_start() -> float:
    """The ``time.perf_counter()`` value at this process's start (Linux: from /proc; elsewhere: now)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return time.perf_counter() - min(max(age, 0.0), 60.0)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter()


def _check_time_limit(time_limit: float | None) -> None:
    if time_limit is not None and not (time_limit > 0 and time_limit < float("inf")):
        raise NarcoFlowError(f"must be a number of seconds > 0, got {time_limit:g}", field="--time-limit")


@optimize_app.command()
def maxflow(
    budget: Annotated[float, typer.Option("--budget", help="Total interdiction cost allowed (>= 0).")],
    instance: Annotated[
        Path | None,
        typer.Option(
            "--instance",
            help="Network file: generic JSON, or a Lopes da Silva et al. CSV (HT or layered format).",
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="Use a scenario's network instead (sources: supplier regions; sinks: markets)."
        ),
    ] = None,
    json_out: JsonFlag = False,
    time_limit: TimeLimit = None,
) -> None:
    """Choose arcs to interdict within a budget to minimise the maximum source-sink flow (exact MILP)."""
    from narcoflow.optimize.instances import load_instance
    from narcoflow.optimize.maxflow import solve_interdiction

    started = _process_start()
    try:
        if not budget >= 0:
            raise NarcoFlowError(f"must be >= 0, got {budget:g}", field="--budget")
        _check_time_limit(time_limit)
        if scenario is not None and instance is not None:
            raise NarcoFlowError("give --instance FILE or --scenario NAME, not both", field="--instance")
        if scenario is not None:
            from narcoflow.optimize.evaluate import scenario_interdiction
            from narcoflow.scenario import load_scenario

            problem = scenario_interdiction(load_scenario(scenario))
        elif instance is None:
            raise NarcoFlowError("give --instance FILE or --scenario NAME", field="--instance")
        else:
            problem = load_instance(instance)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = solve_interdiction(problem, budget, time_limit=time_limit, started=started)
    except NarcoFlowError as exc:
        fail(exc)
    _warn(caught)
    if json_out:
        _echo_json(result.to_dict())
        return
    label = instance.name if instance is not None else f"scenario {scenario}"
    summary = Table(show_header=False, title=f"Max-flow interdiction: {label}, budget {budget:g}")
    summary.add_row("max flow after interdiction", f"{result.objective:g}")
    summary.add_row("status", result.status)
    summary.add_row("MIP gap", "-" if result.gap is None else f"{result.gap:.2g}")
    summary.add_row("budget used", f"{result.budget_used:g} of {budget:g}")
    summary.add_row("arcs / nodes", f"{problem.n_arcs} / {problem.n_nodes}")
    summary.add_row("seconds", f"{result.seconds:.3f}")
    console.print(summary)
    if result.interdicted:
        arcs = Table("tail", "head", "capacity", "cost", title="Interdicted arcs")
        for k, (i, j) in zip(result.interdicted_arcs, result.interdicted, strict=True):
            arcs.add_row(str(i), str(j), f"{problem.capacity[k]:g}", f"{problem.cost[k]:g}")
        console.print(arcs)


@optimize_app.command()
def allocate(
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="CSV: target,defender_covered,defender_uncovered,attacker_covered,attacker_uncovered"
            "[,type,type_weight].",
        ),
    ] = None,
    resources: Annotated[
        float | None,
        typer.Option(
            "--resources", help="Units of coverage to spread (>= 0); default for --from: the scenario's."
        ),
    ] = None,
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario for --from.")] = "baseline",
    from_: Annotated[
        str | None,
        typer.Option(
            "--from", help="Targets from the scenario: 'firms' (regulator scrutiny) or an agency id."
        ),
    ] = None,
    json_out: JsonFlag = False,
    qr_lambda: Annotated[
        float | None,
        typer.Option(
            "--qr-lambda", help="Quantal-response attacker with this rationality (default: best response)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Table rows to show (most covered first).")] = 30,
    time_limit: TimeLimit = None,
) -> None:
    """Spread coverage over targets against an attacker who observes it (Stackelberg security game).

    One attacker type: ORIGAMI; several (columns type, type_weight): DOBSS MILP; --qr-lambda: a
    quantal-response attacker.
    """
    from narcoflow.optimize.games import check_resources, load_game_csv
    from narcoflow.optimize.stackelberg import solve_allocation

    started = _process_start()
    try:
        _check_time_limit(time_limit)
        if resources is not None:
            try:
                check_resources(resources)
            except NarcoFlowError as exc:
                raise NarcoFlowError(exc.message, field="--resources") from None
        if qr_lambda is not None and not qr_lambda >= 0:
            raise NarcoFlowError(f"must be >= 0, got {qr_lambda:g}", field="--qr-lambda")
        if from_ is not None:
            from narcoflow.optimize.evaluate import agency_game, firms_game
            from narcoflow.scenario import load_scenario

            sc = load_scenario(scenario)
            game, default = firms_game(sc) if from_ == "firms" else agency_game(sc, from_)[:2]
            resources = default if resources is None else resources
        elif targets is None:
            raise NarcoFlowError("give --targets CSV or --from firms|AGENCY", field="--targets")
        else:
            game = load_game_csv(targets)
        if resources is None:
            raise NarcoFlowError("required with --targets", field="--resources")
        check_resources(resources)
        left = None if time_limit is None else time_limit - (time.perf_counter() - started)
        result = solve_allocation(game, resources, qr_lambda=qr_lambda, time_limit=left)
    except NarcoFlowError as exc:
        fail(exc)
    if json_out:
        _echo_json(result.to_dict())
        return
    label = targets.name if targets is not None else f"{scenario}: {from_}"
    _print_allocation(result, game, f"{label}, resources {resources:g}", qr_lambda is not None, limit)


def _print_allocation(result: Any, game: Any, label: str, quantal: bool, limit: int) -> None:
    """The allocation's summary and its most covered targets, as tables."""
    summary = Table(show_header=False, title=f"Coverage allocation: {label}")
    summary.add_row("method", result.method + ("" if result.status == "optimal" else f" ({result.status})"))
    summary.add_row("targets / attacker types", f"{game.n_targets} / {game.n_types}")
    summary.add_row("defender utility", f"{result.defender_utility:.6g}")
    if isinstance(result.attacked, dict):
        for typ, tgt in result.attacked.items():
            summary.add_row(f"attacked by {typ}", f"{tgt}")
    else:
        summary.add_row("attacked" + (" (most likely)" if quantal else ""), f"{result.attacked}")
    summary.add_row("coverage used", f"{result.coverage.sum():.6g}")
    summary.add_row("seconds", f"{result.seconds:.3f}")
    console.print(summary)
    cov = result.coverage.sort_values(ascending=False, kind="stable")
    table = Table("target", "coverage", title="Coverage (most covered first)")
    for tgt, c in cov.head(limit).items():
        table.add_row(str(tgt), f"{c:.4f}")
    console.print(table)
    if len(cov) > limit:
        console.print(f"... {len(cov) - limit} more targets (--json for all)")
