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
        """Read a posterior file; malformed files are user errors naming the file."""
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NarcoFlowError("posterior file not found", file=str(path)) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NarcoFlowError(f"cannot read posterior: {exc}", file=str(path)) from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise NarcoFlowError(f"not a NarcoFlow posterior (expected format {FORMAT})", file=str(path))
        try:
            names = [str(n) for n in payload["names"]]
            particles = np.asarray(payload["particles"], dtype=np.float64).reshape(-1, len(names))
            weights = np.asarray(payload["weights"], dtype=np.float64)
        except (KeyError, ValueError, TypeError) as exc:
            raise NarcoFlowError(f"malformed posterior: {exc}", file=str(path)) from None
        if len(weights) != len(particles) or len(weights) == 0 or (weights < 0).any() or weights.sum() <= 0:
            raise NarcoFlowError("posterior weights do not match its particles", file=str(path))
        return cls(names, particles, weights / weights.sum(), payload.get("meta", {}))

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
