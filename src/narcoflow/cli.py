"""The ``narcoflow`` command: a thin layer over the Python API.

User errors (bad scenario, bad option, unreadable file) print ``FILE:LINE: field: message`` on
standard error and exit with status 2, without a traceback and without creating output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from narcoflow.errors import NarcoFlowError

app = typer.Typer(
    help="NarcoFlow: simulate the illicit fentanyl supply system and the harm it does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a parameter: dotted.path=value (repeatable)."),
]


def _fail(exc: NarcoFlowError) -> None:
    err_console.print(f"[red]error:[/red] {exc.format()}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """Parse ``--set path=value`` items into an overrides dict."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise NarcoFlowError("expected dotted.path=value", file="--set", field=item)
        key, value = item.split("=", 1)
        if not key.strip():
            raise NarcoFlowError("empty parameter path", file="--set", field=item)
        out[key.strip()] = value
    return out


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    from narcoflow.scenario import builtin_scenarios

    table = Table("name", "description")
    for name, desc in builtin_scenarios().items():
        table.add_row(name, desc)
    console.print(table)


@app.command()
def validate(
    path: Annotated[str, typer.Argument(help="Scenario file (YAML) or built-in name.")],
    set_: SetOption = None,
) -> None:
    """Check a scenario file (and overrides); exit 2 with FILE:LINE: field: message if invalid."""
    from narcoflow.engine import compile_model
    from narcoflow.scenario import iter_params, load_scenario

    try:
        sc = load_scenario(path, parse_sets(set_))
        cm = compile_model(sc)
    except NarcoFlowError as exc:
        _fail(exc)
    n = len(iter_params(sc))
    console.print(
        f"[green]ok[/green] {path}: scenario '{sc.name}', {len(sc.network.nodes)} nodes, "
        f"{cm.net.n_edges} edges, {len(cm.net.path_org)} organization paths, {n} parameters, "
        f"{sc.calendar.months} months from {sc.calendar.start}"
    )


@app.command()
def params(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    kind: Annotated[str | None, typer.Option(help="Only 'lever', 'uncertainty' or 'fixed'.")] = None,
) -> None:
    """List a scenario's parameters with unit, default and range."""
    from narcoflow.scenario import load_scenario, parameter_table

    try:
        df = parameter_table(load_scenario(scenario))
    except NarcoFlowError as exc:
        _fail(exc)
    if kind:
        df = df[df["kind"] == kind]
    table = Table("name", "value", "unit", "range", "kind", "source")
    for r in df.itertuples():
        table.add_row(r.name, f"{r.value:g}", r.unit, f"[{r.low:g}, {r.high:g}]", r.kind, r.source)
    console.print(table)


def _summary_table(summary: dict[str, Any]) -> Table:
    from narcoflow.data.record import CBP_FENTANYL_LBS, CDC_DEATHS

    table = Table(
        title=f"NarcoFlow — {summary['scenario']} ({summary['members']} members, seed {summary['seed']})"
    )
    for col in (
        "year",
        "T40.4 deaths p50 [p05–p95]",
        "CDC",
        "SW-border seizures lb p50 [p05–p95]",
        "CBP SW",
        "made-in-lab share p50",
    ):
        table.add_column(col, justify="right")
    deaths = summary["deaths_t404_by_year"]
    lbs = summary.get("cbp_fentanyl_lbs_by_fy", {})
    share = summary["precursor_route_share_by_year"]
    for y in sorted(deaths):
        if int(y) > 2030 or (int(y) % 2 and int(y) > 2024):
            continue
        d = deaths[y]
        s = lbs.get(y, {}).get("sw_total") or lbs.get(y, {}).get("total")
        rec = CDC_DEATHS.get(int(y))
        cbp = CBP_FENTANYL_LBS.get(int(y))
        table.add_row(
            y,
            f"{d['p50']:,.0f} [{d['p05']:,.0f}–{d['p95']:,.0f}]",
            f"{rec.t404:,}{'*' if rec.provisional else ''}" if rec else "",
            f"{s['p50']:,.0f} [{s['p05']:,.0f}–{s['p95']:,.0f}]" if s else "",
            f"{cbp.southwest_lbs:,}" if cbp else "",
            f"{share[y]['p50']:.2f}",
        )
    table.caption = (
        f"* provisional. Seizures by CBP fiscal year (Oct–Sep). Mass balance max relative error "
        f"{summary['mass_balance_max_rel_error']:.1e}. Uncalibrated baseline: magnitudes are assumptions."
    )
    return table


@app.command()
def run(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    members: Annotated[int, typer.Option(help="Monte Carlo members.", min=1)] = 100,
    seed: Annotated[int, typer.Option(help="Root random seed.", min=0)] = 0,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("narcoflow-out"),
    set_: SetOption = None,
    batch_size: Annotated[int, typer.Option(help="Members simulated at once (memory bound).", min=1)] = 500,
) -> None:
    """Simulate a scenario; write summary.json, results.nc and report.html to OUT."""
    from narcoflow.engine import simulate
    from narcoflow.report import write_report
    from narcoflow.scenario import load_scenario

    try:
        sc = load_scenario(scenario, parse_sets(set_))
    except NarcoFlowError as exc:
        _fail(exc)
    if out.exists() and not out.is_dir():
        _fail(NarcoFlowError("exists and is not a directory", file=str(out)))
    with Progress(
        TextColumn("[bold]simulating[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("months"),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task(f"{sc.name}, {members} members", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            res = simulate(sc, members=members, seed=seed, batch_size=batch_size, progress=progress)
        except NarcoFlowError as exc:
            _fail(exc)
    summary = res.summary()
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    res.to_netcdf(out / "results.nc")
    write_report(summary, out / "report.html")
    console.print(_summary_table(summary))
    console.print(f"wrote {out / 'summary.json'}, {out / 'results.nc'}, {out / 'report.html'}")


def main() -> None:  # pragma: no cover - console entry
    """Entry point."""
    app()
