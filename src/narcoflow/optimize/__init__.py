"""Interdiction planning: max-flow network interdiction and Stackelberg security-game allocation.

* :mod:`~narcoflow.optimize.maxflow` -- which arcs to cut, within a budget, to minimise the maximum
  flow (Wood's MILP, HiGHS), with a brute-force reference;
* :mod:`~narcoflow.optimize.instances` -- the network type and its file formats (JSON, the Lopes da
  Silva et al. CSV networks);
* :mod:`~narcoflow.optimize.games`, :mod:`~narcoflow.optimize.allocation` and
  :mod:`~narcoflow.optimize.stackelberg` -- how to spread coverage over targets against an attacker
  who observes it (ORIGAMI and quantal response; multiple LPs and the DOBSS MILP for several attacker
  types);
* :mod:`~narcoflow.optimize.highs` -- HiGHS calls without stray output;
* :mod:`~narcoflow.optimize.cli` -- the ``narcoflow optimize`` commands.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    from narcoflow.optimize.allocation import AllocationResult, origami, quantal_response
    from narcoflow.optimize.games import SecurityGame, load_game_csv
    from narcoflow.optimize.instances import (
        InterdictionProblem,
        load_csv_instance,
        load_instance,
        load_json_instance,
    )
    from narcoflow.optimize.maxflow import (
        InterdictionResult,
        InterdictionWarning,
        brute_force_interdiction,
        interdict,
        max_flow,
        solve_interdiction,
    )
    from narcoflow.optimize.stackelberg import (
        bayesian_brute_force,
        bayesian_milp,
        multiple_lps,
        solve_allocation,
    )

# public name -> submodule; loaded on first use so that ``narcoflow.optimize.cli`` (mounted on the main
# command) does not import SciPy and networkx until a command runs
_EXPORTS = {
    "AllocationResult": "allocation",
    "InterdictionProblem": "instances",
    "InterdictionResult": "maxflow",
    "InterdictionWarning": "maxflow",
    "SecurityGame": "games",
    "bayesian_brute_force": "stackelberg",
    "bayesian_milp": "stackelberg",
    "brute_force_interdiction": "maxflow",
    "interdict": "maxflow",
    "load_csv_instance": "instances",
    "load_game_csv": "games",
    "load_instance": "instances",
    "load_json_instance": "instances",
    "max_flow": "maxflow",
    "multiple_lps": "stackelberg",
    "origami": "allocation",
    "quantal_response": "allocation",
    "solve_allocation": "stackelberg",
    "solve_interdiction": "maxflow",
}

__all__ = [
    "AllocationResult",
    "InterdictionProblem",
    "InterdictionResult",
    "InterdictionWarning",
    "SecurityGame",
    "bayesian_brute_force",
    "bayesian_milp",
    "brute_force_interdiction",
    "interdict",
    "load_csv_instance",
    "load_game_csv",
    "load_instance",
    "load_json_instance",
    "max_flow",
    "multiple_lps",
    "origami",
    "quantal_response",
    "solve_allocation",
    "solve_interdiction",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"narcoflow.optimize.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'narcoflow.optimize' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
