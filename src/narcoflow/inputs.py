"""Reading an input file as text, bounded and with located errors.

The loaders of data files (CBP CSV, interdiction instances, targets CSV) read through
:func:`read_text`: a missing file, a file above the loader's size bound, or a byte that is not UTF-8 is a
:class:`~narcoflow.errors.NarcoFlowError` naming the file (and the line of the bad byte), not an
``OSError``, a ``UnicodeDecodeError`` or a memory exhaustion.
"""

from __future__ import annotations

from pathlib import Path

from narcoflow.errors import NarcoFlowError

__all__ = ["read_text"]


def read_text(path: str | Path, max_bytes: int) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), at most ``max_bytes`` bytes of it."""
    p = Path(path)
    file = str(p)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise NarcoFlowError(
                f"the file is {size:,} bytes, more than the {max_bytes:,} allowed", file=file
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise NarcoFlowError("file not found", file=file) from None
    except OSError as exc:
        raise NarcoFlowError(f"cannot read file: {exc.strerror or exc}", file=file) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NarcoFlowError(f"cannot read file: {exc}", file=file, line=line) from None
