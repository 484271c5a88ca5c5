"""``narcoflow explore`` and ``narcoflow analyze``: thin wrappers over :mod:`narcoflow.explore` and
:mod:`narcoflow.execute`.

::

    narcoflow explore SPEC [--executor serial|processes|dask] [--workers N] [--scheduler ADDR]
                           [--store PATH] [--resume] [--batch-size K]
    narcoflow analyze sobol|morris --outcome NAME [--policy P]
    narcoflow analyze prim --outcome NAME --threshold X [--above|--below]
    narcoflow analyze compare --outcome NAME [--threshold X] [--maximize]

User errors print ``error: FILE:LINE: field: message`` (plain text) on standard error and exit 2.
Ctrl-C stops after the batches already stored (exit 130); ``--resume`` runs the rest.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from narcoflow.console import console, err_console, fail
from narcoflow.errors import NarcoFlowError
from narcoflow.execute.store import DEFAULT_STORE

analyze_app = typer.Typer(
    help="Analyses on an experiment store: Sobol, Morris, scenario discovery (PRIM), policy comparison.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOption = Annotated[Path, typer.Option("--store", help="The experiment store (DuckDB file).")]
OutcomeOption = Annotated[str, typer.Option("--outcome", help="Outcome name, as in the spec.")]
PolicyOption = Annotated[str | None, typer.Option("--policy", help="Policy to analyse (default: the first).")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Folder for the HTML figure (default: the store's).")
]


def _reporter(total_hint: str) -> tuple[Progress | None, Any]:
    """A progress bar with ETA on a terminal; one plain line per stored batch otherwise (logs)."""
    if err_console.is_terminal:
        bar = Progress(
            TextColumn(f"[bold]exploring[/bold] {total_hint}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("experiments"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
        )
        task = bar.add_task("explore", total=None)
        return bar, lambda done, total: bar.update(task, completed=done, total=total)
    t0, first = time.perf_counter(), [None]

    def line(done: int, total: int) -> None:
        if first[0] is None:
            first[0] = done
        ran = done - first[0]
        dt = time.perf_counter() - t0
        eta = f", ETA {dt / ran * (total - done):.0f} s" if ran and done < total else ""
        print(f"stored {done}/{total} experiments ({dt:.1f} s{eta})", file=sys.stderr, flush=True)

    return None, line


def explore(
    spec: Annotated[Path, typer.Argument(help="Experiment spec (YAML).")],
    executor: Annotated[str, typer.Option(help="serial | processes | dask")] = "serial",
    workers: Annotated[int | None, typer.Option(help="Worker processes (processes, local dask).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler.")] = None,
    store: StoreOption = DEFAULT_STORE,
    resume: Annotated[
        bool, typer.Option("--resume", help="Run only the experiments the store lacks.")
    ] = False,
    batch_size: Annotated[int | None, typer.Option(help="Experiments per simulate call.", min=1)] = None,
) -> None:
    """Run an experiment spec: a design crossed with policies, outcomes written to a DuckDB store."""
    from narcoflow.execute import make_executor, run_experiment
    from narcoflow.explore import load_experiment

    try:
        exp = load_experiment(spec)
        ex = make_executor(executor, workers, scheduler)
    except NarcoFlowError as exc:
        fail(exc)
    hint = f"{exp.n_points} points × {len(exp.policies)} policies, {exp.members} members"
    bar, progress = _reporter(hint)
    try:
        if bar is not None:
            bar.start()
        summary = run_experiment(exp, store, ex, resume=resume, batch_size=batch_size, progress=progress)
    except NarcoFlowError as exc:
        if bar is not None:
            bar.stop()
        fail(exc)
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        err_console.print(f"interrupted: the batches finished so far are in {store}; run again with --resume")
        raise typer.Exit(130) from None
    if bar is not None:
        bar.stop()
    console.print(
        f"{summary.ran} experiments run ({summary.before} already stored, {summary.total} in the spec) "
        f"on {summary.executor} × {summary.workers} in {summary.batches} batches, {summary.seconds:.1f} s "
        f"→ {store}",
        markup=False,
    )
    _print_overview(store)
    if summary.failed:
        from narcoflow.console import warn
        from narcoflow.execute.store import Store

        with Store.read(store) as st:
            first = st.failures().iloc[0]
        warn(
            f"{summary.failed} experiments failed the simulation's checks; their outcomes are NULL (table "
            f"failures; the first: experiment {first.experiment_id}: {first.message})"
        )


def _print_overview(store: Path) -> None:
    from narcoflow.execute.store import Store

    with Store.read(store) as st:
        df = st.con.execute(
            "SELECT e.policy, o.outcome, quantile_cont(o.y, 0.5) AS p50, quantile_cont(o.y, 0.05) AS p05, "
            "quantile_cont(o.y, 0.95) AS p95 FROM (SELECT experiment_id, outcome, avg(value) AS y "
            "FROM outcomes GROUP BY 1, 2) o JOIN experiments e USING (experiment_id) GROUP BY 1, 2"
        ).df()
        order = {p: i for i, p in enumerate(json.loads(st.meta()["policies"]))}
        outcomes = json.loads(st.meta()["outcomes"])
    table = Table(title="outcome per experiment (member mean): median [5%–95%] over experiments")
    table.add_column("policy")
    for o in outcomes:
        table.add_column(o, justify="right")
    for policy in sorted(df["policy"].unique(), key=order.get):
        cells = []
        for o in outcomes:
            r = df[(df["policy"] == policy) & (df["outcome"] == o)].iloc[0]
            cells.append(f"{num(r.p50)} [{num(r.p05)}–{num(r.p95)}]")
        table.add_row(policy, *cells)
    console.print(table)


def num(x: float) -> str:
    """A number for a table: thousands separated above 1,000, three significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _open(store: Path) -> Any:
    from narcoflow.execute.store import Store

    return Store.read(store)


def _figure_path(out: Path | None, store: Path, name: str) -> Path:
    return (out or store.parent) / name


@analyze_app.command()
def sobol(
    outcome: OutcomeOption,
    store: StoreOption = DEFAULT_STORE,
    policy: PolicyOption = None,
    out: OutOption = None,
) -> None:
    """Sobol indices (first order, total) with 95% confidence intervals; needs a sobol design."""
    from narcoflow.explore.analyses import sobol_indices
    from narcoflow.explore.figures import sobol_figure, write_html

    try:
        with _open(store) as st:
            df = sobol_indices(st, outcome, policy)
    except NarcoFlowError as exc:
        fail(exc)
    table = Table("parameter", "S1", "±95%", "ST", "±95%", title=f"Sobol indices of {outcome}")
    for r in df.sort_values("ST", ascending=False).itertuples():
        table.add_row(r.parameter, f"{r.S1:.3f}", f"{r.S1_conf:.3f}", f"{r.ST:.3f}", f"{r.ST_conf:.3f}")
    console.print(table)
    path = write_html(sobol_figure(df, outcome), _figure_path(out, store, f"sobol-{outcome}.html"))
    console.print(f"wrote {path}", markup=False)


@analyze_app.command()
def morris(
    outcome: OutcomeOption,
    store: StoreOption = DEFAULT_STORE,
    policy: PolicyOption = None,
    out: OutOption = None,
) -> None:
    """Morris screening (μ, μ*, σ) with μ*'s 95% confidence interval; needs a morris design."""
    from narcoflow.explore.analyses import morris_indices
    from narcoflow.explore.figures import morris_figure, write_html

    try:
        with _open(store) as st:
            df = morris_indices(st, outcome, policy)
    except NarcoFlowError as exc:
        fail(exc)
    table = Table("parameter", "μ*", "±95%", "μ", "σ", title=f"Morris screening of {outcome}")
    for r in df.itertuples():
        table.add_row(
            r.parameter, f"{r.mu_star:.4g}", f"{r.mu_star_conf:.3g}", f"{r.mu:.4g}", f"{r.sigma:.4g}"
        )
    console.print(table)
    path = write_html(morris_figure(df, outcome), _figure_path(out, store, f"morris-{outcome}.html"))
    console.print(f"wrote {path}", markup=False)


@analyze_app.command()
def prim(
    outcome: OutcomeOption,
    threshold: Annotated[float, typer.Option(help="Cases of interest: outcome above (or below) this.")],
    below: Annotated[
        bool, typer.Option("--below/--above", help="Interest below the threshold (default above).")
    ] = False,
    store: StoreOption = DEFAULT_STORE,
    policy: PolicyOption = None,
    mass_min: Annotated[
        float, typer.Option(help="Smallest box, share of experiments.", min=0.0, max=1.0)
    ] = 0.05,
    out: OutOption = None,
) -> None:
    """Scenario discovery: the box of parameters where the outcome is above/below the threshold."""
    from narcoflow.explore.analyses import discover
    from narcoflow.explore.figures import prim_figure, write_html

    rule = f"{'below' if below else 'above'} {threshold:g}"
    try:
        with _open(store) as st:
            result, share = discover(st, outcome, threshold, "below" if below else "above", policy, mass_min)
    except NarcoFlowError as exc:
        fail(exc)
    tr = result.trajectory
    steps = Table(
        "step", "coverage", "density", "mass", "dims", title=f"PRIM peeling trajectory: {outcome} {rule}"
    )
    for i, r in tr.iterrows():
        if i % max(1, len(tr) // 12) == 0 or i == len(tr) - 1:
            steps.add_row(
                str(i), f"{r.coverage:.2f}", f"{r.density:.2f}", f"{r.mass:.2f}", f"{r.res_dim:.0f}"
            )
    steps.caption = f"{100 * share:.0f}% of the experiments are of interest (the density of the whole design)"
    console.print(steps)
    box = Table("parameter", "low", "high", "range in the design", title=f"last box (step {len(tr) - 1})")
    for r in result.box().itertuples():
        box.add_row(r.parameter, f"{r.low:.4g}", f"{r.high:.4g}", f"[{r.range_low:.4g}, {r.range_high:.4g}]")
    console.print(box)
    path = write_html(prim_figure(result, outcome, rule), _figure_path(out, store, f"prim-{outcome}.html"))
    console.print(f"wrote {path}", markup=False)


@analyze_app.command()
def compare(
    outcome: OutcomeOption,
    store: StoreOption = DEFAULT_STORE,
    threshold: Annotated[
        float | None, typer.Option(help="Satisficing threshold (default: the first policy's median).")
    ] = None,
    maximize: Annotated[
        bool, typer.Option("--maximize", help="Higher is better (default: the outcome's).")
    ] = False,
    out: OutOption = None,
) -> None:
    """Policies side by side: median, 90% range, regret against the best policy, satisficing share."""
    from narcoflow.explore.analyses import compare_policies, outcome_per_experiment
    from narcoflow.explore.figures import compare_figure, write_html
    from narcoflow.explore.outcomes import outcome_sense

    try:
        with _open(store) as st:
            sense = "max" if maximize else (outcome_sense(outcome) or "min")
            table, thr = compare_policies(st, outcome, sense, threshold)
            values = outcome_per_experiment(st, outcome).table.pivot(
                index="design_point", columns="policy", values="y"
            )
    except NarcoFlowError as exc:
        fail(exc)
    word = "≤" if sense == "min" else "≥"
    t = Table(
        "policy", "median", "5%–95%", "regret median", "regret max", "best on", f"{word} {num(thr)}",
        title=f"Policies compared on {outcome} ({'lower' if sense == 'min' else 'higher'} is better)",
    )  # fmt: skip
    for r in table.itertuples():
        t.add_row(
            str(r.policy), num(r.median), f"{num(r.p05)}–{num(r.p95)}", num(r.regret_median),
            num(r.regret_max), f"{100 * r.best_share:.0f}%", f"{100 * r.satisficing_share:.0f}%",
        )  # fmt: skip
    t.caption = f"over {int(table['points'].iloc[0])} design points; outcome = member mean per experiment"
    console.print(t)
    path = write_html(
        compare_figure(values.dropna(), table, outcome, thr),
        _figure_path(out, store, f"compare-{outcome}.html"),
    )
    console.print(f"wrote {path}", markup=False)
