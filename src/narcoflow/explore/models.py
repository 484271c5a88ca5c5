"""What runs one batch of experiments: the simulation (experiments packed as members of one vectorized
``simulate`` call) or, for tests and foreign models, a plain Python function.

Random streams: design point ``d``'s member ``j`` is member index ``d·members + j`` of one ``simulate``
seed, so it draws from ``SeedSequence(seed, spawn_key=(d·members + j,))`` (and its posterior particle
from ``spawn_key=(d·members + j, 1)``) whatever batch, worker or executor runs it. Policies share these
streams on purpose (common random numbers): their differences on a design point are the policy's, not
the dice's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from narcoflow.calibrate.posterior import Posterior
    from narcoflow.explore.outcomes import Outcome
    from narcoflow.scenario.schema import Scenario


@dataclass(frozen=True)
class Batch:
    """Experiments run together: one policy, some design points and their parameter values."""

    policy: int
    points: np.ndarray  # design point indices
    experiments: np.ndarray  # experiment ids, aligned with points
    values: np.ndarray  # [len(points), n varied parameters]


@dataclass
class BatchResult:
    """Outcomes of a batch: one row per (experiment, member), one column per outcome."""

    experiment_id: np.ndarray
    member: np.ndarray
    values: np.ndarray  # [rows, outcomes]
    series: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [rows, months]
    months: np.ndarray | None = None
    failures: dict[int, str] = field(default_factory=dict)  # experiment id -> why it failed

    @property
    def experiments(self) -> np.ndarray:
        """The experiment ids in this result (unique)."""
        return np.unique(self.experiment_id)

    @classmethod
    def concat(cls, parts: list[BatchResult]) -> BatchResult:
        """One result of several (the parts' rows one after another)."""
        first = parts[0]
        return cls(
            experiment_id=np.concatenate([p.experiment_id for p in parts]),
            member=np.concatenate([p.member for p in parts]),
            values=np.concatenate([p.values for p in parts]),
            series={k: np.concatenate([p.series[k] for p in parts]) for k in first.series},
            months=first.months,
            failures={k: v for p in parts for k, v in p.failures.items()},
        )


def split(batch: Batch) -> list[Batch]:
    """A batch of several experiments cut in two halves."""
    h = len(batch.points) // 2
    return [
        Batch(batch.policy, batch.points[sl], batch.experiments[sl], batch.values[sl])
        for sl in (slice(None, h), slice(h, None))
    ]


class Model(Protocol):
    """Anything that turns a :class:`Batch` into a :class:`BatchResult`."""

    members: int
    outcome_names: list[str]

    def run(self, batch: Batch) -> BatchResult:
        """Run the batch."""
        ...


def member_indices(points: np.ndarray, members: int) -> np.ndarray:
    """Member indices of design points' members: ``d·members + j``."""
    return (np.asarray(points, dtype=np.int64)[:, None] * members + np.arange(members)).ravel()


@dataclass
class SimulationModel:
    """Runs experiments with :func:`narcoflow.simulate`, one call per batch (members packed)."""

    scenarios: list[Scenario]  # one per policy
    names: list[str]  # varied parameters (columns of a batch's values)
    members: int
    seed: int
    outcomes: list[Outcome]
    posterior: Posterior | None = None
    exclude: frozenset[str] = frozenset()  # posterior parameters members do not draw
    series: list[str] = field(default_factory=list)

    @property
    def outcome_names(self) -> list[str]:
        """Names of the outcomes, in column order."""
        return [o.name for o in self.outcomes]

    def member_table(self, batch: Batch) -> pd.DataFrame:
        """Each member's parameter values: the design point's, plus posterior draws for the rest."""
        idx = member_indices(batch.points, self.members)
        table = pd.DataFrame(np.repeat(batch.values, self.members, axis=0), columns=self.names, index=idx)
        if self.posterior is not None:
            drawn = self.posterior.member_table(idx, self.seed, exclude=set(self.exclude) | set(self.names))
            table = pd.concat([drawn, table], axis=1)
        return table

    def run(self, batch: Batch) -> BatchResult:
        """Simulate the batch's members in one call and reduce them to outcomes.

        A simulation that fails its checks (:class:`~narcoflow.errors.SimulationError`, e.g. at extreme
        parameter values) is narrowed down by halving the batch: the experiments that fail alone get NaN
        outcomes and their reason in ``failures``; the others run as usual (their numbers do not depend
        on the batch)."""
        from narcoflow.errors import SimulationError

        try:
            return self._simulate(batch)
        except SimulationError as exc:
            if len(batch.points) == 1:
                return self._failed(batch, exc.message)
            return BatchResult.concat([self.run(half) for half in split(batch)])

    def _failed(self, batch: Batch, why: str) -> BatchResult:
        rows = len(batch.points) * self.members
        series, months = {}, None
        if self.series:
            cal = self.scenarios[batch.policy].calendar
            months = pd.date_range(f"{cal.start}-01", periods=cal.months, freq="MS").values
            series = {s: np.full((rows, cal.months), np.nan, dtype=np.float32) for s in self.series}
        return BatchResult(
            experiment_id=np.repeat(batch.experiments, self.members),
            member=np.tile(np.arange(self.members), len(batch.points)),
            values=np.full((rows, len(self.outcomes)), np.nan),
            series=series,
            months=months,
            failures={int(e): why for e in batch.experiments},
        )

    def _simulate(self, batch: Batch) -> BatchResult:
        from narcoflow.engine import simulate

        table = self.member_table(batch)
        res = simulate(
            self.scenarios[batch.policy], members=table.index.to_numpy(), seed=self.seed, parameters=table
        )
        values = np.column_stack([o(res) for o in self.outcomes])
        series = {s: res.dataset[s].values.astype(np.float32) for s in self.series}
        return BatchResult(
            experiment_id=np.repeat(batch.experiments, self.members),
            member=np.tile(np.arange(self.members), len(batch.points)),
            values=values,
            series=series,
            months=res.dataset["month"].values if self.series else None,
        )


FunctionOfParameters = Callable[[pd.DataFrame, np.ndarray, int, str], Mapping[str, Any]]


@dataclass
class FunctionModel:
    """Runs experiments with a Python function ``fn(parameters, member_indices, seed, policy) ->
    {outcome: values}``: ``parameters`` has one row per member and one column per varied parameter;
    ``policy`` is the policy's name."""

    fn: FunctionOfParameters
    names: list[str]
    outcome_names: list[str]
    members: int = 1
    seed: int = 0
    policies: list[str] = field(default_factory=lambda: ["status-quo"])

    def run(self, batch: Batch) -> BatchResult:
        """Evaluate the function on the batch's members."""
        idx = member_indices(batch.points, self.members)
        table = pd.DataFrame(np.repeat(batch.values, self.members, axis=0), columns=self.names, index=idx)
        out = self.fn(table, idx, self.seed, self.policies[batch.policy])
        values = np.column_stack(
            [np.asarray(out[k], dtype=np.float64).reshape(-1) for k in self.outcome_names]
        )
        return BatchResult(
            experiment_id=np.repeat(batch.experiments, self.members),
            member=np.tile(np.arange(self.members), len(batch.points)),
            values=values,
        )
