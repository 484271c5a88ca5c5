"""Interdiction instance files: the generic JSON format, the CSV formats, and their error messages."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize import (
    InterdictionWarning,
    load_csv_instance,
    load_instance,
    load_json_instance,
    solve_interdiction,
)

GOOD: dict[str, Any] = {
    "source": "s",
    "sink": "t",
    "arcs": [
        {"tail": "s", "head": "a", "capacity": 3, "cost": 1},
        {"tail": "s", "head": "b", "capacity": 2, "cost": 1},
        {"tail": "a", "head": "t", "capacity": None, "cost": 2},
        {"tail": "b", "head": "t", "capacity": "inf", "cost": 1, "interdictable": False},
    ],
}


def write_json(tmp_path: Path, doc: Any, name: str = "net.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc)
    return p


def error_of(path: Path) -> NarcoFlowError:
    with pytest.raises(NarcoFlowError) as exc:
        load_instance(path)
    return exc.value


def test_json_instance(tmp_path: Path) -> None:
    p = load_json_instance(write_json(tmp_path, GOOD))
    assert p.nodes == ("s", "a", "b", "t")
    assert p.n_arcs == 4 and math.isinf(p.capacity[2]) and math.isinf(p.capacity[3])
    assert list(p.interdictable) == [True, True, True, False]
    assert solve_interdiction(p, 0).objective == 5.0
    assert solve_interdiction(p, 1).objective == 2.0  # (s, a)


def test_json_integer_ids_and_nodes_list(tmp_path: Path) -> None:
    doc = {
        "source": 1,
        "sink": 3,
        "nodes": [1, 2, 3, 4],
        "arcs": [
            {"tail": 1, "head": 2, "capacity": 4, "cost": 1},
            {"tail": 2, "head": 3, "capacity": 1.5, "cost": 1},
        ],
    }
    p = load_instance(write_json(tmp_path, doc))
    assert p.nodes == (1, 2, 3, 4)
    r = solve_interdiction(p, 0)
    assert r.objective == 1.5
    # "1" and 1 are different ids
    doc["arcs"][0]["tail"] = "1"
    e = error_of(write_json(tmp_path, doc))
    assert e.field == "arcs[0].tail" and "unknown node" in e.message


def test_json_suffixless_file_is_detected(tmp_path: Path) -> None:
    assert load_instance(write_json(tmp_path, GOOD, "network.txt")).n_arcs == 4


@pytest.mark.parametrize(
    ("mutate", "field", "fragment"),
    [
        (lambda d: d.update(sink="s"), "sink", "same node"),
        (lambda d: d.update(sink="z"), "sink", "unknown node"),
        (lambda d: d.update(source="q"), "source", "unknown node"),
        (lambda d: d.update(nodes=["s", "a", "t"]), "arcs[1].head", "unknown node"),
        (lambda d: d["arcs"][1].update(capacity=-1), "arcs[1].capacity", ">= 0"),
        (lambda d: d["arcs"][1].update(capacity="lots"), "arcs[1].capacity", "expected a number"),
        (lambda d: d["arcs"][0].update(cost=-0.5), "arcs[0].cost", ">= 0"),
        (lambda d: d["arcs"][0].update(cost="1"), "arcs[0].cost", "finite number"),
        (lambda d: d["arcs"][0].pop("cost"), "arcs[0].cost", "missing"),
        (lambda d: d["arcs"][0].pop("head"), "arcs[0].head", "missing"),
        (lambda d: d["arcs"][0].update(tail=1.5), "arcs[0].tail", "strings or integers"),
        (lambda d: d["arcs"][0].update(tail=True), "arcs[0].tail", "strings or integers"),
        (lambda d: d["arcs"][0].update(interdictable="yes"), "arcs[0].interdictable", "true or false"),
        (lambda d: d["arcs"][0].update(capa=3), "arcs[0].capa", "unknown key"),
        (lambda d: d.update(arcs={"tail": "s"}), "arcs", "list"),
        (lambda d: d.pop("sink"), "sink", "missing"),
        (lambda d: d.update(budget=3), "budget", "unknown key"),
    ],
)
def test_json_errors_name_the_field(tmp_path: Path, mutate: Any, field: str, fragment: str) -> None:
    doc = json.loads(json.dumps(GOOD))
    mutate(doc)
    path = write_json(tmp_path, doc)
    e = error_of(path)
    assert e.file == str(path) and e.field == field and fragment in e.message, e.format()


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{\n  "source": "s",\n  "sink": "t"\n  "arcs": []\n}')
    e = error_of(path)
    assert e.line == 4 and "invalid JSON" in e.message
    assert e.format().startswith(f"{path}:4: ")
    assert "expected a JSON object" in error_of(write_json(tmp_path, "[1, 2]")).message


def test_missing_file(tmp_path: Path) -> None:
    e = error_of(tmp_path / "nope.json")
    assert "not found" in e.message and e.file.endswith("nope.json")


# ------------------------------------------------------------------------------------------------ CSV
HT_TEXT = (
    "0, 3,\n0, 1 ,10000, 8, 0, 1, 0, 0,\n1, 2 ,1,2, 1, 0, 0, 1,\n2, 3 ,2,2, 1, 0, 0, 1,\n"
    "3 , 0,10000, 100, 0, 0, 0, 0,\n"
)
LAYERED_TEXT = (
    "0,3,1\n0,1,10000,1000,0,0\n1,2,1,1,1,1\n1,3,10000,2,0,2\n2,3,10000,1000,0,4\n3,0,10000,10000,0,5\n"
)


def write_csv(tmp_path: Path, text: str, name: str = "net.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.replace("\n", "\r\n").encode())
    return p


def test_csv_formats(tmp_path: Path) -> None:
    ht = load_csv_instance(write_csv(tmp_path, HT_TEXT))
    assert ht.n_arcs == 3 and ht.metadata["format"] == "HT" and math.isinf(ht.capacity[0])
    assert solve_interdiction(ht, 0).objective == 1.0
    lay = load_instance(write_csv(tmp_path, LAYERED_TEXT))
    assert lay.n_arcs == 4 and lay.metadata == {"format": "layered", "special_level": 1.0}
    assert list(lay.attributes["level"]) == [0, 1, 2, 4]
    with pytest.warns(InterdictionWarning, match="unbounded"):
        assert solve_interdiction(lay, 1).objective == math.inf  # 0 -> 1 -> 3 has infinite capacity
    assert solve_interdiction(lay, 2).objective == 1.0  # cut 1 -> 3 (cost 2)


def test_csv_infinite_capacity_threshold(tmp_path: Path) -> None:
    p = load_csv_instance(write_csv(tmp_path, HT_TEXT), infinite_capacity=math.inf)
    assert p.capacity[0] == 10000.0


def test_csv_without_return_arc_keeps_all_rows(tmp_path: Path) -> None:
    text = "\n".join(HT_TEXT.splitlines()[:-1]) + "\n"
    assert load_csv_instance(write_csv(tmp_path, text)).n_arcs == 3


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        ("", 1, None, "empty file"),
        ("0\n0,1,1,1,0,0\n", 1, None, "header row has 1 values"),
        ("0,3,1\n", 1, None, "no arc rows"),
        ("0,3\n0,1,1,1,0,0\n", 2, None, "expected 8 values"),
        ("0,3,1\n0,1,1,1,0,0\n1,3,x,1,0,0\n", 3, "column 3 (capacity)", "expected a number"),
        ("0,3,1\n0,1,1,1,0,0\n1,3,-4,1,0,0\n", 3, "column 3 (capacity)", ">= 0"),
        ("0,3,1\n0,1,1,-1,0,0\n1,3,4,1,0,0\n", 2, "column 4 (cost)", ">= 0"),
        ("0,0,1\n0,1,1,1,0,0\n1,0,4,1,0,0\n", 1, "sink", "same node"),
        ("0,9,1\n0,1,1,1,0,0\n1,3,4,1,0,0\n", 1, "sink", "unknown node"),
        ("0,3,1\n0,,1,1,0,0\n", 2, "column 2 (head)", "empty node id"),
        ("0,3,1\n0,1,nan,1,0,0\n", 2, "column 3 (capacity)", "NaN"),
    ],
)
def test_csv_errors_name_line_and_column(
    tmp_path: Path, text: str, line: int | None, field: str | None, fragment: str
) -> None:
    path = write_csv(tmp_path, text)
    e = error_of(path)
    assert (e.file, e.line, e.field) == (str(path), line, field) and fragment in e.message, e.format()
