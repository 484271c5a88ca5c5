"""Row-wise aggregation that keeps each member's numbers independent of the batch around it.

Matrix products over the member axis go through BLAS, whose blocking (and so its summation order)
depends on how many rows there are: a member's sums could then differ in the last bit with the batch
size. These helpers add in a fixed order per row instead, so results are bit-identical however
members are batched.
"""

from __future__ import annotations

import numpy as np


def segment_sum(values: np.ndarray, starts: np.ndarray, nonempty: np.ndarray, width: int) -> np.ndarray:
    """Sums of contiguous last-axis segments; ``starts`` of the non-empty segments, placed at ``nonempty``."""
    out = np.zeros((*values.shape[:-1], width), dtype=values.dtype)
    if starts.size:
        out[..., nonempty] = np.add.reduceat(values, starts, axis=-1)
    return out
