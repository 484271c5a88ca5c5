"""Per-member random streams (MODEL.md §4, ARCHITECTURE.md: one seed discipline).

Member k draws only from ``Generator(PCG64(SeedSequence(seed, spawn_key=(k,))))`` — the k-th child of
``SeedSequence(seed).spawn(...)`` — so its numbers depend on (seed, k) alone, never on how members are
batched, ordered or distributed. Draws fill preallocated member-major arrays; the loop over members
here is the only other Python loop besides the monthly one, and it only calls the generators.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def member_generators(seed: int, members: Sequence[int]) -> list[np.random.Generator]:
    """One generator per member index, from ``SeedSequence(seed)``'s k-th spawned child."""
    return [
        np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(k),))))
        for k in members
    ]


def uniform(gens: list[np.random.Generator], out: np.ndarray) -> np.ndarray:
    """Fill ``out[i]`` with uniforms on [0, 1) from member i's stream (float32 or float64)."""
    for i, g in enumerate(gens):
        g.random(out=out[i], dtype=out.dtype)
    return out


def normal(gens: list[np.random.Generator], out: np.ndarray) -> np.ndarray:
    """Fill ``out[i]`` with standard normals from member i's stream."""
    for i, g in enumerate(gens):
        g.standard_normal(out=out[i], dtype=out.dtype)
    return out


def binomial(gens: list[np.random.Generator], n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial draws, row i from member i's stream; ``n`` and ``p`` are [members, k]."""
    out = np.zeros(n.shape, dtype=np.int64)
    for i, g in enumerate(gens):
        row = n[i] > 0
        if row.any():
            out[i, row] = g.binomial(n[i, row], p[i, row])
    return out
