"""Row-wise aggregation that keeps each member's numbers independent of the batch around it.

Matrix products over the member axis go through BLAS, whose blocking (and so its summation order)
depends on how many rows there are: a member's sums could then differ in the last bit with the batch
size. These helpers add in a fixed order per row instead, so results are bit-identical however
members are batched.
"""

from __future__ import annotations

import numpy as np

from narcoflow.model import kernels


def scatter_sum(values: np.ndarray, index: np.ndarray, width: int) -> np.ndarray:
    """Sum the last-axis entries of ``values`` into ``width`` bins given by ``index`` (float64).

    Row by row, in index order (compiled when numba is available, else ``np.add.at``).
    """
    out = np.zeros((*values.shape[:-1], width))
    if kernels.ENABLED and values.ndim == 2 and values.shape[0] > 0:
        kernels.scatter_sum(values, np.asarray(index, dtype=np.int64), out)
    else:
        np.add.at(out, (Ellipsis, index), values)
    return out


def scatter_add(
    out: np.ndarray, values: np.ndarray, index: np.ndarray, rows: np.ndarray | None = None
) -> None:
    """``out += scatter_sum(values[:, rows], index, out.shape[1])`` without the temporaries (same numbers)."""
    if kernels.ENABLED and values.ndim == 2 and values.shape[0] > 0:
        r = np.arange(values.shape[1]) if rows is None else rows
        kernels.scatter_add(values, r.astype(np.uint64), np.asarray(index).astype(np.uint64), out)
    else:
        out += scatter_sum(values if rows is None else values[:, rows], index, out.shape[1])


def segment_sum(values: np.ndarray, starts: np.ndarray, nonempty: np.ndarray, width: int) -> np.ndarray:
    """Sums of contiguous last-axis segments; ``starts`` of the non-empty segments, placed at ``nonempty``."""
    out = np.zeros((*values.shape[:-1], width), dtype=values.dtype)
    if starts.size:
        out[..., nonempty] = np.add.reduceat(values, starts, axis=-1)
    return out
