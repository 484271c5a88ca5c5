"""Reading data files: bounded in size, errors located."""

from __future__ import annotations

from pathlib import Path

import pytest

from narcoflow.errors import NarcoFlowError
from narcoflow.inputs import read_text
from narcoflow.optimize.instances import load_instance


def test_read_text_bounds_and_locates(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbfh1,h2\nok,1\n")
    assert read_text(p, 1000).startswith("h1,h2")  # byte-order mark dropped
    with pytest.raises(NarcoFlowError, match="more than the 5 allowed") as err:
        read_text(p, 5)
    assert err.value.file == str(p)
    p.write_bytes(b"h1,h2\nok,1\nbad \xff,2\n")
    with pytest.raises(NarcoFlowError, match="cannot read file") as err:
        read_text(p, 1000)
    assert err.value.line == 3
    with pytest.raises(NarcoFlowError, match="file not found"):
        read_text(tmp_path / "missing.csv", 1000)
    with pytest.raises(NarcoFlowError, match="cannot read file"):
        read_text(tmp_path, 10**6)  # a directory


def test_an_instance_above_the_bound_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    import narcoflow.optimize.instances as instances

    p = tmp_path / "net.json"
    p.write_text('{"source": "s", "sink": "t", "arcs": []}' + " " * 100)
    monkeypatch.setattr(instances, "MAX_INSTANCE_BYTES", 64)
    with pytest.raises(NarcoFlowError, match="more than the 64 allowed"):
        load_instance(p)
