"""Per-member random streams (MODEL.md §4, ARCHITECTURE.md: one seed discipline).

Member k draws only from ``Generator(PCG64(SeedSequence(seed, spawn_key=(k,))))`` — the k-th child of
``SeedSequence(seed).spawn(...)`` — so its numbers depend on (seed, k) alone, never on how members are
batched, ordered or distributed. Draws fill preallocated member-major arrays; the loop over members
here is the only other Python loop besides the monthly one, and it only calls the generators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np


@dataclass
class DrawLog:
    """What a run drew from the members' streams: counts per kind, and every binomial's (n, p).

    Only for measurement (the RNG-floor benchmark); see :func:`recording`. ``on_binomial(n, p)`` is
    called with the arrays of each batch of binomial draws (entries with n = 0 draw nothing).
    """

    counts: dict[str, int] = field(default_factory=dict)
    on_binomial: Callable[[np.ndarray, np.ndarray], None] | None = None

    def add(self, kind: str, count: int) -> None:
        """Count ``count`` variates of ``kind`` (e.g. "uniform_float32", "binomial")."""
        self.counts[kind] = self.counts.get(kind, 0) + int(count)

    def binomials(self, n: np.ndarray, p: np.ndarray) -> None:
        """Record a batch of binomial draws."""
        self.add("binomial", int(np.count_nonzero(n)))
        if self.on_binomial is not None:
            self.on_binomial(n, p)


_LOG: ContextVar[DrawLog | None] = ContextVar("narcoflow_draw_log", default=None)


@contextmanager
def recording(log: DrawLog | None = None) -> Iterator[DrawLog]:
    """Record every draw made by simulations run inside the ``with`` block into ``log``."""
    log = log if log is not None else DrawLog()
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


def active_log() -> DrawLog | None:
    """The :class:`DrawLog` of the enclosing :func:`recording` block, if any."""
    return _LOG.get()


def member_generators(seed: int, members: Sequence[int]) -> list[np.random.Generator]:
    """One generator per member index, from ``SeedSequence(seed)``'s k-th spawned child."""
    return [
        np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(k),))))
        for k in members
    ]


def uniform(gens: list[np.random.Generator], out: np.ndarray, states: np.ndarray | None = None) -> np.ndarray:
    """Fill ``out[i]`` with uniforms on [0, 1) from member i's stream (float32 or float64).

    With ``states`` (the generators' state addresses, ``kernels.state_addresses``) a C-contiguous
    [members, n] ``out`` is filled by a compiled kernel: the same numbers, without a Python call per member.
    """
    if (log := _LOG.get()) is not None:
        log.add(f"uniform_{out.dtype}", out.size)
    if states is not None and out.ndim == 2 and out.flags.c_contiguous:
        from narcoflow.model import kernels

        if out.dtype == np.float32:
            kernels.uniform_rows_float32(states, out)
            return out
        if out.dtype == np.float64:
            kernels.uniform_rows_float64(states, out)
            return out
    for i, g in enumerate(gens):
        g.random(out=out[i], dtype=out.dtype)
    return out


def normal(gens: list[np.random.Generator], out: np.ndarray) -> np.ndarray:
    """Fill ``out[i]`` with standard normals from member i's stream."""
    if (log := _LOG.get()) is not None:
        log.add(f"normal_{out.dtype}", out.size)
    for i, g in enumerate(gens):
        g.standard_normal(out=out[i], dtype=out.dtype)
    return out


def binomial(gens: list[np.random.Generator], n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial draws, row i from member i's stream; ``n`` and ``p`` are [members, k]."""
    if (log := _LOG.get()) is not None:
        log.binomials(n, p)
    out = np.zeros(n.shape, dtype=np.int64)
    for i, g in enumerate(gens):
        row = n[i] > 0
        if row.any():
            out[i, row] = g.binomial(n[i, row], p[i, row])
    return out
