"""Output locations: checked before any computation, written atomically.

A command that writes files first calls :func:`check_output_dir` or :func:`check_output_file`, so a bad
``--out`` (read-only, under a file, a directory where a file is wanted, ``/proc``) is a user error
before hours of simulation, not after. Results are then written into a temporary folder next to the
target (:func:`staged_dir`) or a temporary file (:func:`write_text_atomic`) and moved into place only
when complete: a failed run never overwrites or half-writes a previous good output.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from narcoflow.errors import NarcoFlowError

__all__ = ["check_output_dir", "check_output_file", "staged_dir", "staged_file", "write_text_atomic"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe_writable(folder: Path, shown: str, option: str | None) -> None:
    """Create and remove a temporary folder in ``folder`` (works for root and read-only file systems)."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".narcoflow-probe-", dir=folder))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise NarcoFlowError(f"cannot write here ({reason})", file=shown, field=option) from None


def check_output_dir(path: str | Path, option: str | None = "--out") -> None:
    """Raise :class:`NarcoFlowError` unless ``path`` is, or can be created as, a writable directory."""
    path = Path(path)
    shown = str(path)
    if path.exists() and not path.is_dir():
        raise NarcoFlowError("exists and is not a directory", file=shown, field=option)
    base = _nearest_existing(path)
    if not base.is_dir():
        raise NarcoFlowError(f"cannot create a directory under the file {base}", file=shown, field=option)
    _probe_writable(base, shown, option)


def check_output_file(path: str | Path, option: str | None = "--out") -> None:
    """Raise :class:`NarcoFlowError` unless ``path`` names a file that can be (over)written."""
    path = Path(path)
    shown = str(path)
    if path.is_dir() or str(path).endswith(os.sep):
        raise NarcoFlowError("is a directory; give a file name", file=shown, field=option)
    if path.exists() and not path.is_file():
        raise NarcoFlowError("exists and is not a regular file", file=shown, field=option)
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise NarcoFlowError(f"cannot create a file under the file {base}", file=shown, field=option)
    _probe_writable(base, shown, option)


@contextmanager
def staged_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``target``; on success move its files into ``target``.

    If ``target`` does not exist the folder is renamed to it (one atomic step); otherwise each file
    replaces its namesake (``os.replace``, atomic per file) after all were written. On an exception the
    temporary folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o777 & ~_umask())  # as mkdir would make it (mkdtemp's folder is private)
    try:
        yield tmp
        if not target.exists():
            tmp.rename(target)
            return
        for f in sorted(tmp.iterdir()):
            os.replace(f, target / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def staged_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary file name beside ``path``; on success rename the file over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o666 & ~_umask())  # as open() would make it (mkstemp's file is private)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path`` and rename it over ``path``."""
    with staged_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
