"""The policy timeline (MODEL.md §3.1, §5; ODD §7.1): apply the events dated this month.

Each effect type has one handler, chosen by the effect's type: level effects set, scale or ramp a
time-varying level (the end of a temporary scale divides it out again); organizational effects remove
leaders, split an organization into its factions or add a violence spike. Ramps then advance a month.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from narcoflow.model import organizations
from narcoflow.model.layout import EndScale, Scheduled
from narcoflow.scenario.schema import (
    Fragmentation,
    LeadershipRemoval,
    RampLevel,
    ScaleLevel,
    SetLevel,
    Violence,
)

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.layout import Layout
    from narcoflow.model.state import State

Handler = Callable[["Layout", "State", "Backend", int, Scheduled, Any], None]


def _set(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    st.levels.values[:, lay.levels.column[s.effect.level]] = e.value


def _scale(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    st.levels.values[:, lay.levels.column[s.effect.level]] *= e.factor


def _end_scale(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    st.levels.values[:, lay.levels.column[s.effect.level]] /= e.factor


def _ramp(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    st.levels.ramp(lay.levels.column[s.effect.level], e.factor, t, s.effect.months)


def _remove_leaders(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    organizations.remove_leaders(lay, st, bk, s.effect.organization, e)


def _fragment(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    o = lay.net.org_ids.index(s.effect.organization)
    orgs = st.orgs
    orgs.violence_shock += np.where(orgs.active[:, o], e.violence, 0.0)
    organizations.split(lay, st, o, np.ones(orgs.active.shape[0], dtype=bool))


def _violence(lay: Layout, st: State, bk: Backend, t: int, s: Scheduled, e: Any) -> None:
    st.orgs.violence_shock += e.magnitude


HANDLERS: dict[type, Handler] = {
    SetLevel: _set,
    ScaleLevel: _scale,
    EndScale: _end_scale,
    RampLevel: _ramp,
    LeadershipRemoval: _remove_leaders,
    Fragmentation: _fragment,
    Violence: _violence,
}


def apply_events(lay: Layout, p: Any, st: State, bk: Backend, t: int) -> None:
    """Apply the effects due in month ``t`` in the scenario's order, then advance the ramps."""
    for s in lay.events_at.get(t, []):
        HANDLERS[type(s.effect)](lay, st, bk, t, s, p.events[s.event].effects[s.index])
    st.levels.advance(t)
