"""What the dashboard runs: requests, their cache keys, the work done in a job process, the cached runs.

A :class:`RunRequest` names a scenario (a built-in name, or an upload kept under the cache by its
content hash: the browser never names a file), the levers set, the members and the seed. Its key is a
hash of (scenario hash after the levers, policy, members, seed), so the same request is simulated
once. :func:`execute` is what a job process does; it writes into the run's folder ``results.nc``,
``summary.json``, ``system.json`` (the system view) and ``evaluation.json`` for plan evaluations.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from narcoflow.errors import NarcoFlowError, ScenarioError

__all__ = ["MAX_UPLOAD_BYTES", "RunRequest", "execute", "list_runs", "load_request_scenario", "save_upload"]

MAX_UPLOAD_BYTES = 1 << 20
"""Largest scenario upload accepted (1 MiB)."""

_SHA = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class RunRequest:
    """One simulation (``kind="run"``) or plan evaluation (``kind="evaluate"``) asked for in the page."""

    scenario: str  # a built-in name, or "upload:<16 hex digits>"
    members: int
    seed: int
    levers: dict[str, float] = field(default_factory=dict)
    kind: str = "run"
    agency: str | None = None  # for kind="evaluate"
    label: str = ""
    policy_start: str | None = None  # "YYYY-MM": levers that start a level change from this month

    def to_json(self) -> dict[str, Any]:
        """The request as a JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRequest:
        """The inverse of :meth:`to_json`."""
        return cls(**data)


def save_upload(cache: Path, content: bytes, filename: str) -> str:
    """Keep an uploaded scenario under ``cache/uploads`` by its content hash; return ``upload:<hash>``.

    The text is checked (size cap, UTF-8, safe YAML, no file named in it, the scenario schema) before
    it is kept; a :class:`ScenarioError` names the uploaded file's name, its line and field.
    """
    from narcoflow.scenario.loader import load_scenario

    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename or "upload.yaml").name)[:80] or "upload.yaml"
    if len(content) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"file is larger than {MAX_UPLOAD_BYTES // 1024} KiB", file=name)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=name) from None
    _refuse_file_references(text, name)
    sha = hashlib.sha256(content).hexdigest()[:16]
    folder = cache / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as exc:
        path.unlink(missing_ok=True)
        exc.file = name if exc.file == str(path) else exc.file
        raise ScenarioError(exc.message, file=exc.file, line=exc.line, field=exc.field) from None
    (folder / f"{sha}.name").write_text(name, encoding="utf-8")
    return f"upload:{sha}"


def _refuse_file_references(text: str, name: str) -> None:
    """An upload may extend a built-in scenario and hold policies inline, but name no file: the server
    would otherwise open a path chosen by the browser (``extends: ../x.yaml``, ``policies: [p.yaml]``)."""
    from narcoflow.scenario.loader import parse_yaml

    data, lines = parse_yaml(text, name)
    parents = data.get("extends")
    for i, parent in enumerate(parents if isinstance(parents, list) else [parents] if parents else []):
        if not (isinstance(parent, str) and parent in _builtins()):
            where = ("extends", i) if isinstance(parents, list) else ("extends",)
            raise ScenarioError(
                f"an uploaded scenario may extend a built-in scenario only ({', '.join(_builtins())}), "
                "not a file",
                file=name,
                line=lines.get(where),
                field=".".join(map(str, where)),
            )
    policies = data.get("policies")
    for i, item in enumerate(policies if isinstance(policies, list) else []):
        if isinstance(item, str) and item != "status-quo":
            raise ScenarioError(
                "an uploaded scenario may not name a policy file: write the policy inline",
                file=name,
                line=lines.get(("policies", i)),
                field=f"policies.{i}",
            )


def _upload_path(cache: Path, scenario: str) -> Path:
    sha = scenario.removeprefix("upload:")
    if not _SHA.match(sha) or not (cache / "uploads" / f"{sha}.yaml").is_file():
        raise ScenarioError("unknown upload (upload the file again)", file=scenario)
    return cache / "uploads" / f"{sha}.yaml"


def load_request_scenario(cache: Path, req: RunRequest) -> Any:
    """The request's scenario with its levers set (a built-in name or a kept upload only).

    Scenarios are loaded once per (scenario, levers) and kept (:func:`_load`): a built-in or a kept
    upload never changes, and parsing and validating one takes a tenth of a second of the web process.
    Callers must not modify the scenario returned.
    """
    if req.scenario.startswith("upload:"):
        path = _upload_path(cache, req.scenario)
    elif req.scenario in _builtins():
        path = None
    else:
        raise ScenarioError("unknown built-in scenario", file=req.scenario)
    return _load(
        req.scenario, str(path) if path else None, tuple(sorted(req.levers.items())), req.policy_start
    )


def dated_policies() -> bool:
    """Whether this NarcoFlow has dated policies (``narcoflow.scenario.policy``)."""
    try:
        return importlib.util.find_spec("narcoflow.scenario.policy") is not None
    except ModuleNotFoundError:
        return False


def from_start(scenario: Any, levers: dict[str, float], policy_start: str | None) -> dict[str, float]:
    """The levers set from the first month: all of them, unless a policy start date is given, when the
    levers that start a level (intensity, cooperation, control) wait for that month."""
    if not policy_start or not dated_policies():
        return dict(levers)
    from narcoflow.scenario.policy import lever_levels

    dated = lever_levels(scenario)
    return {k: v for k, v in levers.items() if k not in dated}


@lru_cache(maxsize=1)
def _builtins() -> tuple[str, ...]:
    from narcoflow.scenario import builtin_scenarios

    return tuple(builtin_scenarios())


@lru_cache(maxsize=128)
def _load(
    scenario: str, path: str | None, levers: tuple[tuple[str, float], ...], policy_start: str | None
) -> Any:
    from narcoflow.scenario import load_scenario

    base = load_scenario(path or scenario)
    now = from_start(base, dict(levers), policy_start)
    sc = load_scenario(path or scenario, {k: float(v) for k, v in now.items()})
    dated = [{"type": "set", "parameter": k, "value": float(v)} for k, v in levers if k not in now]
    if dated:
        from narcoflow.scenario.policy import apply_policy, policy_from_data

        data = {
            "name": "dashboard",
            "description": "levers set in the dashboard",
            "start": policy_start,
            "effects": dated,
        }
        sc = apply_policy(sc, policy_from_data(data, "policy start date", {}))
    return sc


def request_key(cache: Path, req: RunRequest) -> str:
    """The cache key: a hash of (scenario hash after the levers, kind, policy, members, seed)."""
    from narcoflow.scenario.loader import scenario_hash

    sc = load_request_scenario(cache, req)
    payload = {
        "scenario_hash": scenario_hash(sc),
        "kind": req.kind,
        "agency": req.agency,
        "policy": sorted(req.levers.items()),
        "policy_start": req.policy_start,
        "members": req.members,
        "seed": req.seed,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _member_table(sc: Any, req: RunRequest) -> tuple[Any, dict[str, Any] | None]:
    """Built-in scenarios draw members from their shipped posterior (levers set keep their value)."""
    import numpy as np

    from narcoflow.calibrate import scenario_posterior

    if req.scenario.startswith("upload:"):  # an upload never names a file to open
        return None, None
    found = scenario_posterior(sc)
    if found is None:
        return None, None
    post, path = found
    now = from_start(sc, req.levers, req.policy_start)  # levers set from the first month keep their value
    table = post.member_table(
        np.arange(req.members), req.seed, exclude={k.removesuffix(".value") for k in now}
    )
    meta = post.meta or {}
    return table, {"file": Path(path).name, "until": meta.get("until"), "parameters": list(post.names)}


def execute(cache: Path, req: RunRequest, out: Path) -> None:
    """Do one request in this process, writing its files and ``progress.json`` into ``out``."""
    from narcoflow.engine import simulate
    from narcoflow.report.system import system_view

    out.mkdir(parents=True, exist_ok=True)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 0.25:
            last[0] = now
            tmp = out / "progress.tmp"
            tmp.write_text(json.dumps({"done": done, "total": total}))
            tmp.replace(out / "progress.json")

    sc = load_request_scenario(cache, req)
    if req.kind == "evaluate":
        _evaluate(sc, req, out, progress)
        return
    table, posterior = _member_table(sc, req)
    res = simulate(sc, members=req.members, seed=req.seed, parameters=table, progress=progress)
    summary = res.summary()
    summary["posterior"] = posterior
    res.to_netcdf(out / "results.nc")
    (out / "system.json").write_text(json.dumps(system_view(res, sc)))
    (out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True))


def _evaluate(sc: Any, req: RunRequest, out: Path, progress: Any) -> None:
    from narcoflow.optimize.evaluate import evaluate_plans

    if req.agency is None:
        raise NarcoFlowError("choose an inspecting agency", field="agency")
    ev = evaluate_plans(sc, req.agency, members=req.members, seed=req.seed, progress=progress)
    payload = {
        "scenario": sc.name,
        "agency": req.agency,
        "members": req.members,
        "seed": req.seed,
        "window": list(ev.window),
        "coverage": ev.coverage,
        "plans": {str(k): dict(r.items()) for k, r in ev.table.iterrows()},
    }
    (out / "evaluation.json").write_text(json.dumps(payload, default=float))


def list_runs(cache: Path, kind: str = "run") -> list[tuple[str, RunRequest]]:
    """Finished runs in the cache, newest first: (key, request)."""
    runs = []
    root = cache / "runs"
    if not root.is_dir():
        return []
    done = "evaluation.json" if kind == "evaluate" else "summary.json"
    for folder in root.iterdir():
        meta = folder / "request.json"
        if (folder / done).is_file() and meta.is_file():
            req = RunRequest.from_json(json.loads(meta.read_text()))
            if req.kind == kind:
                runs.append(((folder / done).stat().st_mtime, folder.name, req))
    return [(key, req) for _, key, req in sorted(runs, key=lambda r: r[0], reverse=True)]
