"""What two policies from 2026-01 do to the calibrated baseline, 2026-2030 (common random numbers).

    python docs/scripts/intervention_effects.py [--members 100] [--seed 0]

Policies (each an event added to the built-in baseline, everything else equal):
- ``border_x3``: CBP OFO and USBP inspection intensity tripled from 2026-01;
- ``us_china_full``: US-China cooperation set to 1 (full) from 2026-01.
Prints, for each policy, the member-wise ratio policy / baseline of the 2026-2030 totals (delivered kg,
deaths) or means (retail price, purity, penetration φ): median and 90% range over members.
"""

from __future__ import annotations

import argparse

import numpy as np

import narcoflow
from narcoflow.calibrate import scenario_posterior
from narcoflow.scenario.schema import Event, Param, ScaleLevel, SetLevel

WINDOW = slice("2026-01-01", "2030-12-01")


def _factor(value: float) -> Param:
    return Param(value=value, unit="1", range=(0.0, max(value, 1.0) * 2), source="policy experiment")


def policies() -> dict[str, Event]:
    """The policies as events (the ids they take in the scenario)."""
    x3 = [
        ScaleLevel(type="scale_level", level=f"intensity.{a}", factor=_factor(3.0))
        for a in ("cbp_ofo", "usbp")
    ]
    full = [SetLevel(type="set_level", level="cooperation.us_china", value=_factor(1.0))]
    return {
        "border_x3": Event(date="2026-01", description="OFO and USBP intensity x3", effects=x3),
        "us_china_full": Event(date="2026-01", description="full US-China cooperation", effects=full),
    }


def window_values(res: narcoflow.Results) -> dict[str, np.ndarray]:
    """Per member: 2026-2030 totals of flows and deaths, means of prices and shares."""
    ds = res.dataset.sel(month=WINDOW)
    out = {
        "delivered kg": ds["delivered_kg"].sum("month").values,
        "deaths (observed category)": ds["deaths_final"].sum("month").values,
        "deaths (all opioid)": ds["deaths_total"].sum("month").values,
        "retail price": ds["price"].mean("month").values,
        "purity": ds["purity"].mean("month").values,
        "phi": ds["phi"].mean("month").values,
    }
    for name in ("retail_price_pure", "wholesale_price"):
        if name in ds:
            out[name.replace("_", " ")] = ds[name].mean("month").values
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc = narcoflow.load_scenario("baseline")
    post, _ = scenario_posterior(sc)
    members = np.arange(args.members)
    table = post.member_table(members, args.seed)
    base = window_values(narcoflow.simulate(sc, members, args.seed, parameters=table))
    for pid, event in policies().items():
        pol = sc.model_copy(deep=True)
        pol.events[pid] = event
        got = window_values(narcoflow.simulate(pol, members, args.seed, parameters=table))
        print(f"{pid}: {event.description} from {event.date}; ratio to the baseline, 2026-2030, "
              f"{args.members} members, seed {args.seed}")  # fmt: skip
        for k, v in got.items():
            r = v / base[k]
            p05, p50, p95 = np.percentile(r, [5, 50, 95])
            print(f"  {k:<28} x{p50:.3f}  [x{p05:.3f} - x{p95:.3f}]")


if __name__ == "__main__":
    main()
