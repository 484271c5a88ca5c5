"""The adaptive test: what a static inspection plan promises, and what it does against adaptive traffickers.

For one agency of a scenario, :func:`agency_game` builds the security game over the agency's nodes
(per kg of final product sent through a node): the trafficker delivers everything and pays the route cost
if the node is uncovered, and loses the seized share δ_n if it is covered; the defender's utility is minus
the share delivered. The static model's answer is the game's equilibrium coverage (strong Stackelberg, or
quantal response with the simulator's own logit sensitivity). :func:`evaluate_plans` then runs the
simulator with the agency's coverage fixed to each plan — optimal, uniform, the status quo (the agency's
own adaptive allocation) and randomized (a fresh pure plan each month drawn from the optimal mixed
strategy) — with common random numbers (same seed), and reports seizures, product delivered and deaths
with 90% bands next to the seizure share the static model promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from narcoflow.engine import simulate
from narcoflow.errors import NarcoFlowError
from narcoflow.model.enforcement import CoveragePlan
from narcoflow.model.layout import build_layout
from narcoflow.optimize.allocation import AllocationResult
from narcoflow.optimize.games import SecurityGame
from narcoflow.optimize.stackelberg import solve_allocation
from narcoflow.results import Results
from narcoflow.scenario.schema import Scenario

PLANS = ("optimal", "uniform", "status-quo", "randomized")


def agency_game(sc: Scenario, agency: str) -> tuple[SecurityGame, float, dict[str, float]]:
    """The security game over an inspecting agency's nodes, its resources, and δ_n per node.

    δ_n = 1 − (1 − d_n)(1 − detection·intensity·k) is the seized share of a fully covered shipment at
    node n (d_n the node's base detection, k the cooperation factor at the start). The route cost κ_n is
    the cheapest cost of an organization path through n, as a share of the final product's value.
    """
    if agency not in sc.agencies:
        raise NarcoFlowError(f"unknown agency (have: {', '.join(sc.agencies)})", field=agency)
    ag = sc.agencies[agency]
    if ag.action != "inspect":
        raise NarcoFlowError("the adaptive test needs an inspecting agency, not a raiding one", field=agency)
    net = build_layout(sc).net
    eff = ag.detection.value * ag.intensity.value
    if ag.relation is not None and ag.cooperation_dependence is not None:
        dep = ag.cooperation_dependence.value
        eff *= 1.0 - dep + dep * sc.cooperation[ag.relation].value
    final_value = sc.commodities[net.commodity_ids[net.final]].value.value
    targets, delta, kappa = [], [], []
    for node in ag.nodes:
        n = net.node_ids.index(node)
        through = (net.edge_dst[np.minimum(net.path_edges, net.n_edges - 1)] == n) & (
            net.path_edges < net.n_edges
        )
        uses = through.any(axis=1)
        if not uses.any():
            continue
        targets.append(node)
        base = sc.network.nodes[node].detection
        delta.append(1.0 - (1.0 - base) * (1.0 - min(1.0, eff)))
        kappa.append(float(net.path_cost[uses].min()) / final_value)
    if not targets:
        raise NarcoFlowError("no organization path passes through the agency's nodes", field=agency)
    d, k = np.array(delta), np.array(kappa)
    # keep the attacker's covered payoff strictly below the uncovered one
    d = np.maximum(d, 1e-6)
    game = SecurityGame.from_arrays(
        targets,
        defender_covered=-(1.0 - d),
        defender_uncovered=-np.ones_like(d),
        attacker_covered=(1.0 - d) - k,
        attacker_uncovered=1.0 - k,
        name=f"{sc.name}:{agency}",
    )
    return game, ag.capacity.value, dict(zip(targets, d.tolist(), strict=True))


def scenario_interdiction(sc: Scenario):
    """The scenario's compiled network as a max-flow interdiction problem.

    A super-source feeds every supplier region and every market feeds a super-sink (arcs of infinite
    capacity that cannot be interdicted). Each network edge keeps its declared capacity (none: infinite)
    and costs its mode's ``interdiction_cost`` to interdict.
    """
    from narcoflow.optimize.instances import InterdictionProblem

    net = build_layout(sc).net
    ids = net.node_ids
    tails = [ids[i] for i in net.edge_src] + ["__source__"] * len(net.sources) + [ids[q] for q in net.markets]
    heads = [ids[i] for i in net.edge_dst] + [ids[r] for r in net.sources] + ["__sink__"] * len(net.markets)
    n_extra = len(net.sources) + len(net.markets)
    capacity = np.concatenate([net.edge_capacity[:-1], np.full(n_extra, np.inf)])
    mode_cost = np.array([sc.modes[m].interdiction_cost for m in net.mode_ids])
    cost = np.concatenate([mode_cost[net.edge_mode], np.zeros(n_extra)])
    interdictable = np.concatenate([np.ones(net.n_edges, bool), np.zeros(n_extra, bool)])
    return InterdictionProblem.from_arrays(
        tails, heads, capacity, cost, "__source__", "__sink__", interdictable, name=f"scenario {sc.name}"
    )


def firms_game(sc: Scenario, seed: int = 0) -> tuple[SecurityGame, float]:
    """The regulator's scrutiny game over the scenario's firms (member 0's draw of them), and its resources.

    Firm f sells with probability σ(a_f) (its willingness, no premium or sanction) the value v_f of its
    capacity (input at the input price; final product too for firms that can make it). Scrutiny catches
    a selling firm within the year with δ = 1 − (1 − detection)^12. The firm keeps v_f uncovered and
    (1 − 2δ)·v_f covered (sales lost and future sales forgone); the regulator loses v_f uncovered and
    (1 − δ)·v_f covered. Resources: the scrutiny share × the number of firms.
    """
    from narcoflow.model import rng as streams
    from narcoflow.model.backend import choose
    from narcoflow.model.params import bind
    from narcoflow.model.suppliers import init_firms
    from narcoflow.scenario.parameters import member_values

    p = bind(sc, member_values(sc, np.array([0])))
    firms = init_firms(
        choose(streams.member_generators(seed, [0])),
        sc.suppliers.count,
        np.array(list(sc.suppliers.regions.values())),
        p.suppliers,
    )
    a = firms.willingness[0].astype(np.float64)
    cap = firms.capacity[0].astype(np.float64)
    inp = sc.recipe.input if sc.recipe is not None else None
    final = next(c for c, com in sc.commodities.items() if com.final)
    value = cap * (sc.commodities[inp].price.value if inp else 0.0)
    value += np.where(
        firms.finished[0],
        cap * sc.suppliers.finished_capacity_ratio.value * sc.commodities[final].price.value,
        0,
    )
    v_f = value / (1.0 + np.exp(-a))
    v_f = np.maximum(v_f, 1e-9)
    delta = 1.0 - (1.0 - sc.regulator.detection.value) ** 12
    game = SecurityGame.from_arrays(
        [f"firm_{i:05d}" for i in range(len(v_f))],
        defender_covered=-(1.0 - delta) * v_f,
        defender_uncovered=-v_f,
        attacker_covered=(1.0 - 2.0 * delta) * v_f,
        attacker_uncovered=v_f,
        name=f"{sc.name}:firms",
    )
    return game, sc.regulator.scrutiny_share.value * sc.suppliers.count


@dataclass
class Evaluation:
    """Side-by-side outcomes of the plans."""

    table: pd.DataFrame  # one row per plan
    static: AllocationResult
    coverage: dict[str, dict[str, float]]
    results: dict[str, Results]
    window: tuple[str, str]


def _band(a: np.ndarray) -> dict[str, float]:
    p05, p50, p95 = np.percentile(a, [5, 50, 95])
    return {"p05": float(p05), "p50": float(p50), "p95": float(p95)}


def evaluate_plans(
    sc: Scenario,
    agency: str,
    *,
    plans: tuple[str, ...] = PLANS,
    members: int = 50,
    seed: int = 0,
    attacker: str = "sse",
    window: tuple[str, str] | None = None,
    progress: Any = None,
    use_posterior: bool = True,
) -> Evaluation:
    """Run the scenario under each plan for ``agency`` and compare outcomes over ``window`` (YYYY-MM).

    With ``use_posterior`` the members' parameters are drawn from the scenario's shipped posterior (if it
    has one), the same draws for every plan.
    """
    _check_choices(plans, attacker)
    game, resources, _ = agency_game(sc, agency)
    qr = sc.trafficking.route_dispersion.value if attacker == "qr" else None
    static = solve_allocation(game, resources, qr_lambda=qr)
    coverage = _plan_coverage(game, static, resources)
    lo, hi = _month_window(sc, window)
    sel = slice(f"{lo}-01", f"{hi}-01")
    nodes = list(game.targets)
    table = _posterior_draws(sc, agency, members, seed) if use_posterior else None
    rows, results = [], {}
    for i, name in enumerate(plans):
        plan = None
        if name != "status-quo":
            plan = {agency: CoveragePlan(coverage[name], randomized=name == "randomized")}

        def cb(done: int, total: int, i: int = i) -> None:
            if progress is not None:
                progress(i * total + done, len(plans) * total)

        res = simulate(sc, members=members, seed=seed, plans=plan, progress=cb, parameters=table)
        results[name] = res
        ds = res.dataset.sel(month=sel)
        if name == "status-quo":
            cov = ds["coverage"].sel(node=nodes).mean(["month", "member"]).to_series()
            promised = float("nan")
            coverage["status-quo"] = {str(k): float(v) for k, v in cov.items()}
        else:
            c = np.array([coverage[name][t] for t in nodes])
            promised = _promised_share(game, c, static, name)
        rows.append({"plan": name, **_outcome_bands(ds, nodes, promised)})
    table = pd.DataFrame(rows).set_index("plan")
    return Evaluation(table=table, static=static, coverage=coverage, results=results, window=(lo, hi))


def _check_choices(plans: tuple[str, ...], attacker: str) -> None:
    """Refuse an unknown plan or attacker model."""
    unknown = [p for p in plans if p not in PLANS]
    if unknown:
        raise NarcoFlowError(f"unknown plan {unknown[0]!r} (choose from {', '.join(PLANS)})", field="plan")
    if attacker not in ("sse", "qr"):
        raise NarcoFlowError("attacker must be 'sse' or 'qr'", field="attacker")


def _plan_coverage(
    game: SecurityGame, static: AllocationResult, resources: float
) -> dict[str, dict[str, float]]:
    """Coverage per node of the fixed plans: the static optimum (also the randomized plan's mixed
    strategy) and the agency's resources spread evenly."""
    optimal = {str(k): float(v) for k, v in static.coverage.items()}
    n = len(game.targets)
    return {
        "optimal": optimal,
        "randomized": optimal,
        "uniform": {str(t): min(1.0, resources / n) for t in game.targets},
    }


def _month_window(sc: Scenario, window: tuple[str, str] | None) -> tuple[str, str]:
    """First and last month (YYYY-MM) compared: ``window``, or the scenario's whole calendar."""
    months = pd.date_range(sc.calendar.start + "-01", periods=sc.calendar.months, freq="MS")
    lo, hi = window or (months[0].strftime("%Y-%m"), months[-1].strftime("%Y-%m"))
    return lo, hi


def _posterior_draws(sc: Scenario, agency: str, members: int, seed: int) -> pd.DataFrame | None:
    """The members' parameters drawn from the scenario's shipped posterior (None without one)."""
    from narcoflow.calibrate import scenario_posterior

    found = scenario_posterior(sc)
    if found is None:
        return None
    # the plans spend the agency's scenario capacity and the static game uses its scenario
    # detection, so members keep the agency's own point values
    own = {f"agencies.{agency}.{k}" for k in ("capacity", "capacity_trend", "detection")}
    return found[0].member_table(np.arange(members), seed, exclude=own)


def _outcome_bands(ds: xr.Dataset, nodes: list[str], promised: float) -> dict[str, Any]:
    """One plan's row: seizures at the agency's nodes, the seized share of what arrives there, product
    delivered and deaths over the window (90% bands over members), and the static model's promise."""
    final = ds.attrs["final_commodity"]
    seized = ds["seized_kg"].sel(commodity=final, node=nodes).sum(["month", "node"]).values
    arriving = ds["flow_kg"].sel(node=nodes).sum(["month", "node"]).values
    delivered = ds["delivered_kg"].sum("month").values
    deaths = ds["deaths_final"].sum("month").values
    share = np.divide(seized, arriving, out=np.zeros_like(seized, dtype=float), where=arriving > 0)
    return {
        "seized_kg": _band(seized),
        "seized_share": _band(share),
        "promised_share": promised,
        "delivered_kg": _band(delivered),
        "deaths": _band(deaths),
    }


def _promised_share(game: SecurityGame, c: np.ndarray, static: AllocationResult, name: str) -> float:
    """The seized share the static model promises for a coverage ``c``.

    Against a best-responding attacker (strong Stackelberg) the attacker sends everything through its
    best target (ties to the defender's favour); with a quantal-response solution the attack
    probabilities of the solve are used for the optimal plans.
    """
    ud = game.defender_utility(c)[0]  # −(share delivered) per target
    if static.attack_probabilities is not None and name in ("optimal", "randomized"):
        p = static.attack_probabilities.reindex(game.targets).to_numpy()
        return float(1.0 + (p * ud).sum())
    ua = game.attacker_utility(c)[0]
    best = np.flatnonzero(ua >= ua.max() - 1e-9)
    return float(1.0 + ud[best].max())
