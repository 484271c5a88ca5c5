"""The results store: one embedded DuckDB file (default ``narcoflow-results/experiments.duckdb``).

Tables:

- ``experiments`` (experiment_id, design_point, policy, one column per varied parameter), written when
  the store is made;
- ``outcomes`` (experiment_id, member, outcome, value), written as batches finish — each batch in one
  transaction, so an experiment is either wholly stored or absent, and the primary key refuses a
  duplicate;
- ``runs`` (run_id, spec, fingerprint, seed, version, scenario_hash, executor, workers, started,
  finished, experiments): one row per ``explore`` invocation (``finished`` stays empty if it was killed);
- ``failures`` (experiment_id, message): experiments whose simulation failed its checks
  (:class:`~narcoflow.errors.SimulationError`); their outcome rows hold NULL;
- ``series_files`` (file, first, last): the Parquet files of monthly series (``<store>-series/`` beside
  the database) whose batches were committed; a file not listed is an orphan of an interrupted batch and
  is deleted on resume.

A store belongs to one experiment (its fingerprint); another spec is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError

if TYPE_CHECKING:
    from narcoflow.explore.experiment import Experiment
    from narcoflow.explore.models import BatchResult

DEFAULT_STORE = Path("narcoflow-results") / "experiments.duckdb"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(path: Path, read_only: bool) -> Any:
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc).splitlines()[0]
        if "lock" in text.lower():
            text = "it is in use by another process (an explore still running?)"
        raise NarcoFlowError(f"cannot open the store: {text}", file=str(path)) from None


class Store:
    """An experiment store (see the module docstring). Use :meth:`create`, :meth:`open` or
    :meth:`read`."""

    def __init__(self, path: Path, con: Any) -> None:
        self.path = path
        self.con = con

    # ---------------------------------------------------------------- opening
    @classmethod
    def create(cls, path: str | Path, experiment: Experiment) -> Store:
        """Make a new store for ``experiment`` (the file must not exist)."""
        path = Path(path)
        if path.exists():
            raise NarcoFlowError("the store already exists", file=str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NarcoFlowError(f"cannot make the store's folder: {exc.strerror}", file=str(path)) from None
        store = cls(path, _connect(path, read_only=False))
        params = ", ".join(f"{_q(n)} DOUBLE" for n in experiment.names)
        con = store.con
        con.execute("BEGIN")
        con.execute(
            f"CREATE TABLE experiments (experiment_id BIGINT PRIMARY KEY, design_point BIGINT, "
            f"policy VARCHAR, {params})"
        )
        con.execute(
            "CREATE TABLE outcomes (experiment_id BIGINT, member INTEGER, outcome VARCHAR, value DOUBLE, "
            "PRIMARY KEY (experiment_id, member, outcome))"
        )
        con.execute(
            "CREATE TABLE runs (run_id INTEGER PRIMARY KEY, spec VARCHAR, fingerprint VARCHAR, seed BIGINT, "
            "version VARCHAR, scenario_hash VARCHAR, executor VARCHAR, workers INTEGER, "
            "started TIMESTAMP, finished TIMESTAMP, experiments BIGINT)"
        )
        con.execute("CREATE TABLE failures (experiment_id BIGINT PRIMARY KEY, message VARCHAR)")
        con.execute("CREATE TABLE series_files (file VARCHAR PRIMARY KEY, first BIGINT, last BIGINT)")
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        table = experiment.table()
        con.register("exp_df", table)
        con.execute("INSERT INTO experiments SELECT * FROM exp_df")
        con.unregister("exp_df")
        meta = {
            "fingerprint": experiment.fingerprint(),
            "spec": json.dumps(experiment.spec, sort_keys=True),
            "names": json.dumps(experiment.names),
            "bounds": json.dumps(experiment.bounds),
            "policies": json.dumps(experiment.policies),
            "outcomes": json.dumps(experiment.outcome_names),
            "members": str(experiment.members),
            "version": _version(),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        con.execute("COMMIT")
        return store

    @classmethod
    def open(cls, path: str | Path, experiment: Experiment) -> Store:
        """Open an existing store to resume ``experiment``; a store of another experiment is refused."""
        path = Path(path)
        if not path.is_file():
            raise NarcoFlowError("no store to resume (run without --resume to make it)", file=str(path))
        store = cls(path, _connect(path, read_only=False))
        meta = store.meta()
        if meta.get("fingerprint") != experiment.fingerprint():
            store.close()
            raise NarcoFlowError(
                "the store was made by another experiment spec (or another scenario, design, posterior or "
                "outcome set): use another --store, or delete it",
                file=str(path),
            )
        if meta.get("version") != _version():
            store.close()
            raise NarcoFlowError(
                f"the store was made by NarcoFlow {meta.get('version')}, this is {_version()}: results would "
                "mix two model versions; use another --store",
                file=str(path),
            )
        return store

    @classmethod
    def read(cls, path: str | Path) -> Store:
        """Open a store read-only (for analysis)."""
        path = Path(path)
        if not path.is_file():
            raise NarcoFlowError("no such store", file=str(path))
        store = cls(path, _connect(path, read_only=True))
        try:
            store.meta()
        except NarcoFlowError:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the database."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading
    def meta(self) -> dict[str, str]:
        """The store's metadata (fingerprint, spec, names, policies, outcomes, members, version)."""
        import duckdb

        try:
            return dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        except duckdb.Error:
            raise NarcoFlowError("not a NarcoFlow experiment store", file=str(self.path)) from None

    def spec(self) -> dict[str, Any]:
        """The experiment spec the store was made for."""
        return json.loads(self.meta()["spec"])

    def done(self) -> np.ndarray:
        """Ids of the experiments whose outcomes are stored."""
        rows = self.con.execute("SELECT DISTINCT experiment_id FROM outcomes ORDER BY 1").fetchnumpy()
        return np.asarray(rows["experiment_id"], dtype=np.int64)

    def experiments(self) -> pd.DataFrame:
        """The experiments table, ordered by experiment_id."""
        return self.con.execute("SELECT * FROM experiments ORDER BY experiment_id").df()

    def outcomes(self, outcome: str | None = None) -> pd.DataFrame:
        """The outcomes table (or one outcome's rows), ordered by experiment_id, member, outcome."""
        sql = "SELECT * FROM outcomes"
        args: list[Any] = []
        if outcome is not None:
            sql += " WHERE outcome = ?"
            args.append(outcome)
        return self.con.execute(sql + " ORDER BY experiment_id, member, outcome", args).df()

    def failures(self) -> pd.DataFrame:
        """Experiments whose simulation failed its checks (their outcomes are NULL): id and message."""
        return self.con.execute("SELECT * FROM failures ORDER BY experiment_id").df()

    def runs(self) -> pd.DataFrame:
        """The runs table."""
        return self.con.execute("SELECT * FROM runs ORDER BY run_id").df()

    def series(self) -> pd.DataFrame:
        """All stored monthly series (experiment_id, member, month, one column per series)."""
        files = [self.series_dir / f for (f,) in self.con.execute("SELECT file FROM series_files").fetchall()]
        if not files:
            return pd.DataFrame()
        frames = [pd.read_parquet(f) for f in files]
        return pd.concat(frames).sort_values(["experiment_id", "member", "month"]).reset_index(drop=True)

    @property
    def series_dir(self) -> Path:
        """Folder of the Parquet series files."""
        return self.path.parent / (self.path.stem + "-series")

    # ---------------------------------------------------------------- writing
    def begin_run(self, experiment: Experiment, executor: str, workers: int, scenario_hash: str) -> int:
        """Record the start of an invocation; return its run id."""
        (last,) = self.con.execute("SELECT coalesce(max(run_id), 0) FROM runs").fetchone()
        run_id = int(last) + 1
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
            [
                run_id,
                json.dumps(experiment.spec, sort_keys=True),
                experiment.fingerprint(),
                experiment.seed,
                _version(),
                scenario_hash,
                executor,
                workers,
                dt.datetime.now(),
            ],
        )
        return run_id

    def end_run(self, run_id: int, experiments: int) -> None:
        """Record the end of an invocation and how many experiments it stored."""
        self.con.execute(
            "UPDATE runs SET finished = ?, experiments = ? WHERE run_id = ?",
            [dt.datetime.now(), experiments, run_id],
        )

    def remove_orphan_series(self) -> int:
        """Delete Parquet files of batches that never committed; return how many."""
        if not self.series_dir.is_dir():
            return 0
        known = {f for (f,) in self.con.execute("SELECT file FROM series_files").fetchall()}
        orphans = [p for p in self.series_dir.iterdir() if p.name not in known]
        for p in orphans:
            p.unlink()
        return len(orphans)

    def write(self, result: BatchResult, outcome_names: list[str]) -> None:
        """Store a batch's outcomes (and series) in one transaction."""
        n, k = result.values.shape
        frame = pd.DataFrame(
            {
                "experiment_id": np.repeat(result.experiment_id.astype(np.int64), k),
                "member": np.repeat(result.member.astype(np.int32), k),
                "outcome": np.tile(np.asarray(outcome_names, dtype=object), n),
                "value": result.values.reshape(-1),
            }
        )
        file = self._write_series(result) if result.series else None
        self.con.execute("BEGIN")
        try:
            self.con.register("batch_df", frame)
            self.con.execute("INSERT INTO outcomes SELECT * FROM batch_df")
            self.con.unregister("batch_df")
            if result.failures:
                self.con.executemany("INSERT INTO failures VALUES (?, ?)", list(result.failures.items()))
            if file is not None:
                ids = result.experiment_id
                self.con.execute(
                    "INSERT INTO series_files VALUES (?, ?, ?)", [file, int(ids.min()), int(ids.max())]
                )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def _write_series(self, result: BatchResult) -> str:
        """Write a batch's monthly series to a new Parquet file (durably); return its name."""
        assert result.months is not None
        rows, t = next(iter(result.series.values())).shape
        frame = pd.DataFrame(
            {
                "experiment_id": np.repeat(result.experiment_id.astype(np.int64), t),
                "member": np.repeat(result.member.astype(np.int32), t),
                "month": np.tile(result.months, rows),
                **{k: v.reshape(-1) for k, v in result.series.items()},
            }
        )
        self.series_dir.mkdir(exist_ok=True)
        name = f"batch-{int(result.experiment_id.min()):09d}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.series_dir / (name + ".tmp")
        frame.to_parquet(tmp, index=False)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        tmp.rename(self.series_dir / name)
        return name


def _version() -> str:
    from narcoflow import __version__

    return __version__
