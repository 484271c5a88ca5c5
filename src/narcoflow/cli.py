"""The ``narcoflow`` command: a thin layer over the Python API.

User errors (bad scenario, bad option, unreadable file) print ``FILE:LINE: field: message`` on
standard error and exit with status 2, without a traceback and without creating output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from narcoflow.capacity import check_members
from narcoflow.console import console, err_console, escape, fail, warn
from narcoflow.errors import NarcoFlowError
from narcoflow.outputs import check_output_dir, check_output_file, staged_dir, write_text_atomic

app = typer.Typer(
    help="NarcoFlow: simulate the illicit fentanyl supply system and the harm it does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from narcoflow import __version__

        console.print(f"narcoflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """NarcoFlow: simulate the illicit fentanyl supply system and the harm it does."""


SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a parameter: dotted.path=value (repeatable)."),
]


PARAM_KINDS = ("lever", "uncertainty", "fixed")
#: Largest root seed: it is stored as a signed 64-bit integer in results.nc.
MAX_SEED = 2**63 - 1

QUICK_NOTE = (
    "note: --quick spent {budget} simulations: a smoke test of the pipeline, not a "
    "calibration, and its fit says nothing about the model (run without --quick; docs/calibration.md)."
)


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
    from narcoflow.model.layout import build_layout
    from narcoflow.scenario import iter_params, load_scenario

    try:
        sc = load_scenario(path, parse_sets(set_))
        lay = build_layout(sc)
    except NarcoFlowError as exc:
        fail(exc)
    n = len(iter_params(sc))
    console.print(
        f"ok {path}: scenario '{sc.name}', {len(sc.network.nodes)} nodes, "
        f"{lay.net.n_edges} edges, {len(lay.net.path_org)} organization paths, {n} parameters, "
        f"{sc.calendar.months} months from {sc.calendar.start}"
    )
    if sc.extends:
        changed = ", ".join(sc.changed_parameters) or "none"
        console.print(f"extends {' → '.join(sc.extends)}; parameters it changes: {changed}", markup=False)
    policies = [ev.source for ev in sc.events.values() if ev.source.startswith("policy ")]
    if policies:
        console.print(f"policies: {'; '.join(policies)}", markup=False)


@app.command()
def params(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    kind: Annotated[str | None, typer.Option(help="Only 'lever', 'uncertainty' or 'fixed'.")] = None,
) -> None:
    """List a scenario's parameters with unit, default and range."""
    from narcoflow.scenario import load_scenario, parameter_table

    try:
        if kind is not None and kind not in PARAM_KINDS:
            raise NarcoFlowError(f"must be one of {', '.join(PARAM_KINDS)}, got '{kind}'", field="--kind")
        df = parameter_table(load_scenario(scenario))
    except NarcoFlowError as exc:
        fail(exc)
    if kind:
        df = df[df["kind"] == kind]
    table = Table("name", "value", "unit", "range", "kind", "source")
    for r in df.itertuples():
        table.add_row(r.name, f"{r.value:g}", r.unit, f"[{r.low:g}, {r.high:g}]", r.kind, r.source)
    console.print(table)


def _k(x: float) -> str:
    """A count in at most five characters: 950, 9.5k, 95k, 950k, 9.5M."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f}M" if a < 1e7 else f"{x / 1e6:.0f}M"
    if a >= 1e3:
        return f"{x / 1e3:.1f}k" if a < 1e4 else f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


def _summary_table(summary: dict[str, Any]) -> Table:
    """Every complete year of the run, in at most 80 columns: medians, 90% bands and the record."""
    from rich import box

    from narcoflow.data.record import CBP_FENTANYL_LBS, CDC_DEATHS

    table = Table(
        title=f"NarcoFlow — {summary['scenario']} ({summary['members']} members, seed {summary['seed']})",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
    )
    for col in ("year", "deaths p50", "p05–p95", "CDC", "seized lb", "p05–p95", "CBP", "lab share"):
        table.add_column(col, justify="right")
    deaths = summary["deaths_t404_by_year"]
    lbs = summary.get("cbp_fentanyl_lbs_by_fy", {})
    share = summary["precursor_route_share_by_year"]
    for y in sorted(deaths, key=int):
        d = deaths[y]
        s = lbs.get(y, {}).get("sw_total") or lbs.get(y, {}).get("total")
        rec = CDC_DEATHS.get(int(y))
        cbp = CBP_FENTANYL_LBS.get(int(y))
        table.add_row(
            y,
            _k(d["p50"]),
            f"{_k(d['p05'])}–{_k(d['p95'])}",
            f"{_k(rec.t404)}{'*' if rec.provisional else ''}" if rec else "",
            _k(s["p50"]) if s else "",
            f"{_k(s['p05'])}–{_k(s['p95'])}" if s else "",
            _k(cbp.southwest_lbs) if cbp else "",
            f"{share[y]['p50']:.2f}" if y in share else "",
        )
    post = summary.get("posterior")
    if not post:
        source = "Uncalibrated: parameters at the scenario's values."
    elif post.get("quick"):
        source = "Parameters from a --quick smoke-test posterior (not a calibration)."
    else:
        source = f"Parameters drawn from the posterior calibrated through {post['until']}."
    table.caption = (
        "deaths: T40.4, calendar years (CDC; * provisional). seized lb: Southwest border, CBP fiscal "
        f"years (Oct–Sep). lab share: made from precursors. Mass balance max relative error "
        f"{summary['mass_balance_max_rel_error']:.1e}. {source}"
    )
    return table


@app.command()
def run(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    members: Annotated[int, typer.Option(help="Monte Carlo members.", min=1)] = 100,
    seed: Annotated[int, typer.Option(help="Root random seed.", min=0, max=MAX_SEED)] = 0,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("narcoflow-out"),
    set_: SetOption = None,
    batch_size: Annotated[int, typer.Option(help="Members simulated at once (memory bound).", min=1)] = 500,
    posterior: Annotated[
        Path | None,
        typer.Option(help="Draw members' parameters from this posterior (default: the scenario's own)."),
    ] = None,
    no_posterior: Annotated[
        bool, typer.Option("--no-posterior", help="Use the scenario's point values, not its posterior.")
    ] = False,
    policy: Annotated[
        list[Path] | None,
        typer.Option(help="Apply a dated policy (YAML file; repeatable), e.g. border-x2.yaml."),
    ] = None,
) -> None:
    """Simulate a scenario; write summary.json, results.nc and report.html to OUT.

    A scenario that ships a posterior (the built-in baseline does) draws each member's calibrated
    parameters from it; parameters set with --set, or changed by a file that extends the scenario,
    keep the value set.
    """
    from narcoflow.engine import simulate
    from narcoflow.explore.members import choose_posterior, kept_note, kept_parameters
    from narcoflow.report import write_report
    from narcoflow.report.system import system_view
    from narcoflow.scenario import load_scenario
    from narcoflow.scenario.policy import apply_policies, load_policy

    try:
        check_output_dir(out)
        overrides = parse_sets(set_)
        sc = load_scenario(scenario, overrides)
        check_members(sc, members, batch_size)
        sc = apply_policies(sc, [load_policy(p) for p in policy or []])
        post, post_path = choose_posterior(sc, False if no_posterior else (posterior or True))
    except NarcoFlowError as exc:
        fail(exc)
    table = None
    if post is not None:
        import numpy as np

        kept = kept_parameters(sc, post, overrides)
        if kept:
            err_console.print(kept_note(sc, post, kept, post_path), markup=False, highlight=False)
        table = post.member_table(np.arange(members), seed, exclude=set(kept))
    with Progress(
        TextColumn("[bold]simulating[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("months"),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task(escape(f"{sc.name}, {members} members"), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            res = simulate(
                sc, members=members, seed=seed, batch_size=batch_size, progress=progress, parameters=table
            )
        except NarcoFlowError as exc:
            fail(exc)
    summary = res.summary()
    summary["posterior"] = (
        None if post is None else {"file": _shown_path(post_path, posterior), **_posterior_brief(post)}
    )
    summary["overrides"] = dict(overrides)
    with staged_dir(out) as tmp:
        (tmp / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        res.to_netcdf(tmp / "results.nc")
        write_report(summary, tmp / "report.html", system=system_view(res, sc))
    console.print(_summary_table(summary))
    console.print(f"wrote {out / 'summary.json'}, {out / 'results.nc'}, {out / 'report.html'}")


@app.command()
def dashboard(
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback unless told otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8050,
    store: Annotated[
        str | None, typer.Option(help="An experiments store made by `narcoflow explore` (Experiments page).")
    ] = None,
    cache: Annotated[Path, typer.Option(help="Folder for runs and uploads (the results cache).")] = Path(
        "narcoflow-dashboard"
    ),
    max_members: Annotated[int, typer.Option(help="Most members a run may ask for.", min=1)] = 200,
    workers: Annotated[
        int, typer.Option(help="Simulations run at once (each in its own process).", min=1)
    ] = 2,
    job_timeout: Annotated[
        float, typer.Option(help="Seconds a job may take before it is ended.", min=1)
    ] = 900.0,
) -> None:
    """Serve the web dashboard: scenario and levers, results, comparison, planning."""
    from narcoflow.app import serve

    err_console.print(
        f"NarcoFlow dashboard on http://{host}:{port}/ (runs cached in {cache}; Ctrl-C stops it)"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(
            f"listening on {host}, not on the loopback address: whoever reaches this machine can use "
            "the dashboard and start simulations (there is no login)"
        )
    serve(
        host,
        port,
        cache=cache,
        store=store,
        max_members=max_members,
        workers=workers,
        job_timeout=job_timeout,
    )


def _posterior_brief(post: Any) -> dict[str, Any]:
    meta = post.meta or {}
    quick = bool(meta.get("quick")) or "--quick" in str(meta.get("command", "")).split()
    return {k: meta.get(k) for k in ("until", "budget", "population", "simulations", "seed")} | {
        "parameters": list(post.names),
        "quick": quick,
    }


def _shown_path(path: str | None, given: Path | None) -> str | None:
    """The posterior's name as the user gave it (--posterior), else its file name: no local paths."""
    if path is None:
        return None
    return str(given) if given is not None else Path(path).name


def main() -> None:  # pragma: no cover - console entry
    """Entry point."""
    app()


# ---------------------------------------------------------------- explore
from narcoflow.explore.cli import analyze_app  # noqa: E402
from narcoflow.explore.cli import explore as _explore  # noqa: E402

app.command("explore")(_explore)
app.add_typer(analyze_app, name="analyze")

# ---------------------------------------------------------------- optimize
from narcoflow.optimize.cli import optimize_app  # noqa: E402

app.add_typer(optimize_app, name="optimize")


@optimize_app.command("evaluate")
def optimize_evaluate(
    agency: Annotated[str, typer.Option(help="Inspecting agency of the scenario, e.g. cbp_ofo.")],
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    plan: Annotated[
        list[str] | None,
        typer.Option(help="optimal | uniform | status-quo | randomized (repeatable; default all four)."),
    ] = None,
    members: Annotated[int, typer.Option(help="Monte Carlo members per plan.", min=1)] = 50,
    seed: Annotated[int, typer.Option(help="Root seed (common to all plans).", min=0)] = 0,
    attacker: Annotated[
        str, typer.Option(help="Static model: 'sse' (best response) or 'qr' (logit).")
    ] = "sse",
    window: Annotated[str | None, typer.Option(help="Months to compare, YYYY-MM:YYYY-MM.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write evaluation.json and evaluation.html here.")] = None,
    set_: SetOption = None,
) -> None:
    """The adaptive test: the static plan's promise against the simulator's adaptive traffickers."""
    from narcoflow.optimize.evaluate import PLANS, evaluate_plans
    from narcoflow.scenario import load_scenario

    try:
        if out is not None:
            check_output_dir(out)
        win = None if window is None else _window(window)
        sc = load_scenario(scenario, parse_sets(set_))
        check_members(sc, members * len(plan or PLANS))
        with Progress(
            TextColumn("[bold]evaluating plans[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("months"),
            TimeElapsedColumn(),
            console=err_console,
        ) as bar:
            task = bar.add_task("plans", total=None)
            ev = evaluate_plans(
                sc,
                agency,
                plans=tuple(plan or PLANS),
                members=members,
                seed=seed,
                attacker=attacker,
                window=win,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except NarcoFlowError as exc:
        fail(exc)
    lo, hi = ev.window
    table = Table(title=f"{agency} plans — {sc.name}, {members} members, {lo}..{hi}, p50 [p05–p95]")
    for col in ("plan", "seized kg", "seized share", "static promise", "delivered kg", "deaths"):
        table.add_column(col, justify="right")

    def band(d: dict[str, float], fmt: str) -> str:
        return f"{d['p50']:{fmt}} [{d['p05']:{fmt}}–{d['p95']:{fmt}}]"

    for name, row in ev.table.iterrows():
        promise = row["promised_share"]
        table.add_row(
            str(name),
            band(row["seized_kg"], ",.0f"),
            band(row["seized_share"], ".3f"),
            "" if promise is None or promise != promise else f"{promise:.3f}",
            band(row["delivered_kg"], ",.0f"),
            band(row["deaths"], ",.0f"),
        )
    table.caption = (
        "static promise: seized share at the agency's nodes if traffickers best-respond to the plan "
        "(static game); seized share: what the adaptive simulation produced."
    )
    console.print(table)
    if out is not None:
        run = {"scenario": sc.name, "agency": agency, "members": members, "seed": seed, "attacker": attacker}
        _write_evaluation(out, ev, run)


def _write_evaluation(out: Path, ev: Any, run: dict[str, Any]) -> None:
    """evaluation.json and evaluation.html into ``out``, staged and moved into place when complete."""
    from narcoflow.report.evaluation import write_evaluation_report

    payload = run | {
        "window": list(ev.window),
        "coverage": ev.coverage,
        "static": ev.static.to_dict(),
        "plans": {str(k): {c: v for c, v in r.items()} for k, r in ev.table.iterrows()},
    }
    with staged_dir(out) as tmp:
        (tmp / "evaluation.json").write_text(json.dumps(payload, indent=1, default=float) + "\n")
        write_evaluation_report(payload, tmp / "evaluation.html")
    console.print(f"wrote {out / 'evaluation.json'}, {out / 'evaluation.html'}")


def _window(text: str) -> tuple[str, str]:
    """Parse ``--window YYYY-MM:YYYY-MM`` (months valid and in order)."""
    from narcoflow.scenario.schema import parse_month

    parts = text.split(":")
    if len(parts) != 2:
        raise NarcoFlowError(f"expected YYYY-MM:YYYY-MM, got '{text}'", field="--window")
    try:
        lo, hi = (parse_month(p.strip()) for p in parts)
    except ValueError as exc:
        raise NarcoFlowError(str(exc), field="--window") from None
    if hi < lo:
        raise NarcoFlowError(f"'{parts[1]}' is before '{parts[0]}'", field="--window")
    return parts[0].strip(), parts[1].strip()


# ---------------------------------------------------------------- calibration
def _calibration_tables(result: Any) -> list[Table]:
    conv = Table(
        "generation",
        "epsilon",
        "simulations",
        "accepted",
        "acceptance",
        "ESS",
        "seconds",
        title="ABC-SMC convergence",
    )
    for i, g in enumerate(result.abc.generations):
        conv.add_row(
            str(i),
            f"{g.epsilon:.4f}",
            str(g.simulations),
            str(g.accepted),
            f"{g.acceptance_rate:.2f}",
            f"{g.ess:.0f}",
            f"{g.seconds:.0f}",
        )
    post = Table("parameter", "p05", "median", "p95", title="Posterior (weighted, 90% interval)")
    for name, r in result.posterior.summary().iterrows():
        post.add_row(str(name), f"{r['p05']:.4g}", f"{r['median']:.4g}", f"{r['p95']:.4g}")
    fit = Table("series", "MAPE of median", "inside 90% band", title="Fit of the posterior predictive")
    for name, ser in result.fit["series"].items():
        mape = "" if ser["mape"] is None else f"{100 * ser['mape']:.1f}%"
        fit.add_row(name, mape, f"{100 * ser['coverage_90']:.0f}%")
    f = result.fit
    fit.caption = (
        f"deaths MAPE 2015+: {100 * (f.get('deaths_mape_2015_on') or float('nan')):.1f}%; "
        f"all points inside 90% bands: {100 * f['coverage_90_all']:.0f}%"
    )
    sw = Table(
        "FY",
        "SW observed lb",
        "model p50",
        "error",
        "PoE share obs",
        "model",
        "points",
        title="Southwest border by fiscal year",
    )
    for fy, r in f.get("sw_fy_total", {}).items():
        ps = f["poe_share"][fy]
        sw.add_row(
            fy,
            f"{r['observed']:,.0f}",
            f"{r['p50']:,.0f}",
            f"{100 * r['rel_error']:+.1f}%",
            f"{ps['observed']:.3f}",
            f"{ps['p50']:.3f}",
            f"{ps['points']:+.1f}",
        )
    return [conv, post, fit, sw]


def _bar(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("simulations"),
        TimeElapsedColumn(),
        console=err_console,
    )


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    until: Annotated[int, typer.Option(help="Fit the record through this calendar year.")] = 2023,
    budget: Annotated[int, typer.Option(help="Simulations to spend (ABC-SMC).", min=10)] = 144000,
    population: Annotated[int, typer.Option(help="Particles per generation.", min=10)] = 1000,
    seed: Annotated[
        int, typer.Option(help="Root seed (the calibration is reproducible from it).", min=0)
    ] = 0,
    out: Annotated[Path, typer.Option(help="Where to save the posterior (JSON).")] = Path("posterior.json"),
    quick: Annotated[bool, typer.Option("--quick", help="A small budget (CI, smoke tests).")] = False,
    cbp_csv: Annotated[
        list[Path] | None,
        typer.Option(
            help="A CBP drug-seizure CSV file in CBP's download format, instead of the shipped figures; "
            "repeat the option for several files (overlapping months are counted once)."
        ),
    ] = None,
    set_: SetOption = None,
) -> None:
    """Calibrate the scenario's declared uncertainties to the public record (ABC-SMC)."""
    from narcoflow.calibrate import calibrate as run_calibration
    from narcoflow.data.cbp import load_cbp_csv, monthly_series
    from narcoflow.scenario import load_scenario

    if quick:
        budget, population = min(budget, 240), min(population, 60)
    try:
        check_output_file(out)
        cbp = monthly_series(load_cbp_csv(cbp_csv)) if cbp_csv else None
        sc = load_scenario(scenario, parse_sets(set_))
        with _bar(f"calibrating {escape(sc.name)} through {until}") as bar:
            task = bar.add_task("abc", total=budget)
            result = run_calibration(
                sc,
                until=until,
                budget=budget,
                population=population,
                seed=seed,
                predictive_members=50 if quick else 200,
                cbp_monthly=cbp,
                progress=lambda done, total, _: bar.update(task, completed=done, total=total),
            )
    except NarcoFlowError as exc:
        fail(exc)
    result.posterior.meta["command"] = " ".join(["narcoflow", "calibrate", *sys.argv[2:]])
    result.posterior.meta["quick"] = quick
    result.posterior.save(out)
    for t in _calibration_tables(result):
        console.print(t)
    corr = result.posterior.correlations()
    pairs = sorted(
        (
            (abs(corr.iloc[i, j]), corr.index[i], corr.columns[j], corr.iloc[i, j])
            for i in range(len(corr))
            for j in range(i + 1, len(corr))
        ),
        reverse=True,
    )[:5]
    console.print(
        "strongest posterior correlations: " + "; ".join(f"{a} ~ {b}: {c:+.2f}" for _, a, b, c in pairs)
    )
    console.print(f"wrote {out}")
    if quick:
        console.print(QUICK_NOTE.format(budget=budget))


@app.command("forecast-check")
def forecast_check(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    until: Annotated[int, typer.Option(help="Calibrate with the record through this year only.")] = 2020,
    through: Annotated[int, typer.Option(help="Forecast through this year.")] = 2024,
    budget: Annotated[int, typer.Option(help="Simulations to spend (ABC-SMC).", min=10)] = 144000,
    population: Annotated[int, typer.Option(help="Particles per generation.", min=10)] = 1000,
    members: Annotated[int, typer.Option(help="Forecast members.", min=10)] = 200,
    seed: Annotated[int, typer.Option(help="Root seed.", min=0)] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the table as JSON.")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="A small budget (CI, smoke tests).")] = False,
    set_: SetOption = None,
) -> None:
    """Hold-out test: calibrate through --until, forecast T40.4 deaths after it, compare with the record."""
    from narcoflow.calibrate import forecast_check as run_check
    from narcoflow.scenario import load_scenario

    if quick:
        budget, population, members = min(budget, 240), min(population, 60), min(members, 50)
    try:
        if json_path is not None:
            check_output_file(json_path, "--json")
        sc = load_scenario(scenario, parse_sets(set_))
        check_members(sc, members)
        with _bar(f"calibrating {escape(sc.name)} through {until}") as bar:
            task = bar.add_task("abc", total=budget)
            table, _ = run_check(
                sc,
                until=until,
                through=through,
                budget=budget,
                population=population,
                seed=seed,
                members=members,
                progress=lambda done, total, _: bar.update(task, completed=done, total=total),
            )
    except NarcoFlowError as exc:
        fail(exc)
    out = Table(
        "year",
        "forecast p50",
        "90% band",
        "observed (CDC)",
        "error",
        title=f"T40.4 deaths: calibrated through {until}, forecast {until + 1}-{through}",
    )
    for year, r in table.items():
        obs = (
            ""
            if r["observed"] != r["observed"]
            else f"{r['observed']:,.0f}" + ("*" if r["provisional"] else "")
        )
        err = "" if r["rel_error"] != r["rel_error"] else f"{100 * r['rel_error']:+.1f}%"
        out.add_row(year, f"{r['p50']:,.0f}", f"{r['p05']:,.0f}–{r['p95']:,.0f}", obs, err)
    out.caption = (
        "* provisional (CDC VSRR). For comparison: SOURCE, calibrated through 2020, projected 81,527 "
        "opioid deaths for 2024 against 55,005 observed (+48%; Stringfellow et al. 2025)."
    )
    console.print(out)
    if json_path is not None:
        write_text_atomic(json_path, json.dumps(table, indent=1) + "\n")
        console.print(f"wrote {json_path}")
    if quick:
        console.print(QUICK_NOTE.format(budget=budget))


@app.command("source-compare")
def source_compare(
    scenario: Annotated[str, typer.Option(help="Built-in name or scenario file.")] = "baseline",
    members: Annotated[int, typer.Option(help="Members per run (common random numbers).", min=2)] = 100,
    seed: Annotated[int, typer.Option(help="Root seed.", min=0)] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the table as JSON.")] = None,
    no_posterior: Annotated[
        bool, typer.Option("--no-posterior", help="Use the scenario's point values, not its posterior.")
    ] = False,
) -> None:
    """Deaths averted by SOURCE's levers (fentanyl risk −20%, naloxone +20%) next to SOURCE's figures."""
    from narcoflow.calibrate.source import source_command
    from narcoflow.scenario import load_scenario

    try:
        if json_path is not None:
            check_output_file(json_path, "--json")
        check_members(load_scenario(scenario), members)
        source_command(scenario, members, seed, json_path, no_posterior, console=console)
    except NarcoFlowError as exc:
        fail(exc)


if __name__ == "__main__":
    app()
