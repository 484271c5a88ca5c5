"""Posterior files: a weighted population of parameter vectors, and drawing members from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.outputs import write_text_atomic
from narcoflow.scenario.parameters import iter_params
from narcoflow.scenario.schema import Scenario

FORMAT = "narcoflow-posterior/1"
#: Largest posterior file read, bytes (the shipped one, 1,000 particles of 20 parameters, is ~0.5 MB).
MAX_POSTERIOR_BYTES = 64 * 2**20


def _json_line(text: str, key: str) -> int:
    """The line of ``"key":`` in a JSON text (1 if absent)."""
    at = text.find(f'"{key}"')
    return 1 if at < 0 else text.count("\n", 0, at) + 1


def _finite_array(value: Any, shape: tuple[int, ...], error: Any) -> np.ndarray:
    """``value`` as a float array of ``shape`` with finite entries, else ``error(message)`` is raised."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise error("must hold numbers only, in rows of equal length") from None
    if a.shape != shape:
        raise error(f"has shape {a.shape}, expected {shape}")
    if not np.isfinite(a).all():
        raise error("must be finite (no NaN or infinity)")
    return a


@dataclass
class Posterior:
    """Weighted particles over named parameters, with how they were made (``meta``)."""

    names: list[str]
    particles: np.ndarray  # [N, p]
    weights: np.ndarray  # [N]
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write the posterior as JSON."""
        path = Path(path)
        payload = {
            "format": FORMAT,
            "names": self.names,
            "weights": self.weights.tolist(),
            "particles": self.particles.tolist(),
            "meta": self.meta,
        }
        return write_text_atomic(path, json.dumps(payload, indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read and validate a posterior file; a malformed one is a user error naming file, line and field.

        Checked: the format tag; ``names`` unique strings; ``particles`` a finite [N, p] table; ``weights``
        N finite, non-negative numbers summing to 1 (within 1e-6); ``meta`` a mapping.
        """
        path = Path(path)
        file = str(path)
        try:
            if path.stat().st_size > MAX_POSTERIOR_BYTES:
                raise NarcoFlowError(f"larger than {MAX_POSTERIOR_BYTES:,} bytes", file=file, line=1)
            text = path.read_text(encoding="utf-8")
            payload = json.loads(text)
        except FileNotFoundError:
            raise NarcoFlowError("posterior file not found", file=file) from None
        except json.JSONDecodeError as exc:
            raise NarcoFlowError(f"not JSON: {exc.msg}", file=file, line=exc.lineno) from None
        except (OSError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise NarcoFlowError(f"cannot read posterior: {exc}", file=file, line=1) from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise NarcoFlowError(f"not a NarcoFlow posterior (expected format {FORMAT})", file=file, line=1)

        def bad(key: str, message: str) -> NarcoFlowError:
            return NarcoFlowError(message, file=file, line=_json_line(text, key), field=key)

        names, particles, weights = payload.get("names"), payload.get("particles"), payload.get("weights")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise bad("names", "must be a non-empty list of parameter names")
        if len(set(names)) != len(names):
            raise bad("names", f"'{next(n for n in names if names.count(n) > 1)}' is listed twice")
        if not isinstance(weights, list) or not weights:
            raise bad("weights", "must be a non-empty list of numbers")
        if not isinstance(particles, list) or len(particles) != len(weights):
            raise bad("particles", f"must be a list of {len(weights)} rows (one per weight)")
        if not isinstance(payload.get("meta", {}), dict):
            raise bad("meta", "must be a mapping")
        w = _finite_array(weights, (len(weights),), lambda msg: bad("weights", msg))
        x = _finite_array(particles, (len(weights), len(names)), lambda msg: bad("particles", msg))
        if (w < 0).any() or abs(w.sum() - 1.0) > 1e-6:
            raise bad("weights", f"must be non-negative and sum to 1 (they sum to {w.sum():.6g})")
        return cls(list(names), x, w / w.sum(), payload.get("meta", {}))

    def check(self, scenario: Scenario, file: str | None = None) -> None:
        """Every posterior parameter must be a parameter of the scenario, inside its range."""
        params = iter_params(scenario)
        for j, name in enumerate(self.names):
            if name not in params:
                raise NarcoFlowError("posterior parameter is not in the scenario", file=file, field=name)
            lo, hi = params[name].range
            col = self.particles[:, j]
            if (col < lo - 1e-12).any() or (col > hi + 1e-12).any():
                raise NarcoFlowError(
                    f"posterior values outside the range [{lo}, {hi}]", file=file, field=name
                )

    def member_table(self, members: np.ndarray, seed: int, exclude: set[str] | None = None) -> pd.DataFrame:
        """Each member's parameters: a particle drawn by weight from member k's own stream.

        The draw for member k uses ``SeedSequence(seed, spawn_key=(k, 1))`` (the engine uses
        ``spawn_key=(k,)``), so it depends only on (seed, k). ``exclude`` leaves parameters out (e.g.
        those a user set explicitly).
        """
        cdf = np.cumsum(self.weights)
        cdf[-1] = 1.0
        idx = np.empty(len(members), dtype=np.int64)
        for i, k in enumerate(members):
            g = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(k), 1))))
            idx[i] = int(np.searchsorted(cdf, g.random(), side="right"))
        keep = [j for j, n in enumerate(self.names) if n not in (exclude or set())]
        return pd.DataFrame(
            self.particles[np.minimum(idx, len(cdf) - 1)][:, keep],
            columns=[self.names[j] for j in keep],
            index=np.asarray(members),
        )

    def summary(self) -> pd.DataFrame:
        """Weighted median and 90% interval of each parameter."""
        rows = []
        for j, name in enumerate(self.names):
            order = np.argsort(self.particles[:, j])
            x, cw = self.particles[order, j], np.cumsum(self.weights[order])
            q = [float(x[min(np.searchsorted(cw, p), len(x) - 1)]) for p in (0.05, 0.5, 0.95)]
            rows.append({"parameter": name, "p05": q[0], "median": q[1], "p95": q[2]})
        return pd.DataFrame(rows).set_index("parameter")

    def correlations(self) -> pd.DataFrame:
        """Weighted correlation matrix of the parameters."""
        c = np.cov(self.particles, rowvar=False, aweights=self.weights)
        s = np.sqrt(np.maximum(np.diag(c), 1e-300))
        return pd.DataFrame(c / np.outer(s, s), index=self.names, columns=self.names)
