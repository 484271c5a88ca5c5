"""Structure-aware mutations of NarcoFlow's input formats, as hypothesis strategies.

Each ``*_inputs()`` strategy starts from a valid input (the built-in baseline scenario, a small posterior,
CBP CSV rows, an interdiction network, a security game) and applies one to three mutations that know the
format's structure (delete a key, retype a value, misspell a name, empty a table, repeat a row, ...)
plus text-level damage (truncation, alias bombs, deep nesting, stray bytes). The oracle lives in
``test_fuzz_inputs.py``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import narcoflow

BASELINE_YAML = Path(narcoflow.__file__).parent / "scenario" / "builtin" / "baseline.yaml"
BASELINE_TEXT = BASELINE_YAML.read_text(encoding="utf-8")
BASELINE = yaml.load(BASELINE_TEXT, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

# values that break assumptions: types, signs, magnitudes, non-finite numbers, containers, YAML tags
ODD_VALUES: list[Any] = [
    None, "", "x", "2019-13", "9999-12", "0000-00", 0, -1, 1, 2, 0.5, -0.5, 1e-300, 1e308, -1e308,
    float("nan"), float("inf"), float("-inf"), True, False, [], {}, [1, 2], [[]], {"value": 1},
    {"value": 0.5, "unit": "1", "range": [1, 0]}, {"value": 0.5, "unit": "1", "range": [0, float("inf")]},
    "a" * 5000, "[/red]", ":100:", "ö∂ƒ", 10**30, -(10**30),
]  # fmt: skip

#: an alias "billion laughs" bomb: 9 levels of 9 references (9^9 values once expanded)
LAUGHS = "\n".join(
    ["l0: &l0 [a,a,a,a,a,a,a,a,a]"] + [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
)

TEXT_DAMAGE: list[str] = [
    "\nx: " + "[" * 300 + "]" * 300,
    "\nx: &r [*r]",
    "\n" + LAUGHS,
    "\nname: again",
    "\n\t- tab",
    "\n!!python/object/apply:os.system ['true']",
    "\nx: *undefined",
    "\n? [a, b]\n: 1",
    "\n%YAML 9.9",
    "\x00",
    "\n---\nsecond: document",
]  # fmt: skip


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (tuple of keys and indices) into a YAML/JSON tree, the root excluded."""
    out: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for k, v in items:
        out.append((*prefix, k))
        out.extend(paths(v, (*prefix, k)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        data = data[p]
    return data


def _typo(word: str, i: int) -> str:
    if not word:
        return "x"
    i %= len(word)
    return word[:i] + word[i + 1 :] if i % 2 else word[:i] + word[i] + word[i:]


@st.composite
def mutate_tree(draw: st.DrawFn, tree: Any) -> Any:
    """One structure-aware mutation of a parsed YAML/JSON tree (a deep copy is mutated)."""
    data = copy.deepcopy(tree)
    all_paths = paths(data)
    path = draw(st.sampled_from(all_paths))
    parent, key = _get(data, path[:-1]), path[-1]
    op = draw(st.sampled_from(["delete", "odd", "typo_key", "typo_value", "empty", "copy", "swap", "repeat"]))
    if op == "delete":
        del parent[key]
    elif op == "odd":
        parent[key] = draw(st.sampled_from(ODD_VALUES))
    elif op == "typo_key" and isinstance(parent, dict):
        parent[_typo(str(key), draw(st.integers(0, 50)))] = parent.pop(key)
    elif op == "typo_value" and isinstance(parent[key], str):
        parent[key] = _typo(parent[key], draw(st.integers(0, 50)))
    elif op == "empty" and isinstance(parent[key], dict | list):
        parent[key] = type(parent[key])()
    elif op == "copy":  # a value from elsewhere in the tree
        parent[key] = copy.deepcopy(_get(data, draw(st.sampled_from(all_paths)))) if all_paths else None
    elif op == "swap" and isinstance(parent, list) and len(parent) > 1:
        j = draw(st.integers(0, len(parent) - 1))
        parent[key], parent[j] = parent[j], parent[key]
    elif op == "repeat" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    else:  # the op does not apply here: a number is scaled instead
        value = parent[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            parent[key] = value * draw(st.sampled_from([-1, 0, 2, 1e6, 1e-6]))
    return data


@st.composite
def damage_text(draw: st.DrawFn, text: str) -> str:
    """Text-level damage: truncation, an appended hostile snippet, a deleted or inserted character."""
    op = draw(st.sampled_from(["truncate", "append", "delete", "insert"]))
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if op == "truncate":
        return text[:at]
    if op == "append":
        return text + draw(st.sampled_from(TEXT_DAMAGE))
    if op == "delete":
        return text[:at] + text[at + 1 :]
    return text[:at] + draw(st.sampled_from(list(":-[]{}&*!|>'\"#,\n\t "))) + text[at:]


def _dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    """The baseline scenario with 1-3 structure-aware mutations, sometimes damaged as text too."""
    data = BASELINE
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutate_tree(data))
    text = _dump_yaml(data) if isinstance(data, dict) else BASELINE_TEXT
    return draw(damage_text(text)) if draw(st.integers(0, 4)) == 0 else text


SET_VALUES = [
    "0", "-1", "1e999", ".nan", ".inf", "~", "", "[", "{", "*a", "&a [*a]", "&a [1, *a]", "[[[[[[1]]]]]]",
    "!!python/object/apply:os.system ['true']", "false", "x" * 300, "2019-13", "9999-12", "[/foo]",
    "{value: 2}",
    "{a: 1, a: 2}", "- 1\n- 2", "a: b: c",
]  # fmt: skip


@st.composite
def set_items(draw: st.DrawFn) -> str:
    """A ``--set`` item: an existing, misspelt or malformed dotted path, and a hostile or ordinary value."""
    path = ".".join(map(str, draw(st.sampled_from(paths(BASELINE)))))
    shape = draw(st.sampled_from(["path", "typo", "markup", "noeq", "empty"]))
    if shape == "typo":
        path = _typo(path, draw(st.integers(0, 80)))
    elif shape == "markup":
        path = "[/" + path + "]"
    value = draw(st.one_of(st.sampled_from(SET_VALUES), st.text(max_size=20)))
    if shape == "noeq":
        return path
    if shape == "empty":
        return "=" + value
    return f"{path}={value}"


def posterior_payload() -> dict[str, Any]:
    """A small valid posterior over three of the baseline's calibrated parameters."""
    names = ["trafficking.growth_rate", "harm.hazard_oud", "trafficking.risk_aversion"]
    sc = narcoflow.load_scenario("baseline")
    from narcoflow.scenario import iter_params

    params = iter_params(sc)
    rows = [
        [params[n].range[0] + (params[n].range[1] - params[n].range[0]) * f for n in names]
        for f in (0.2, 0.5, 0.8)
    ]
    weights = [0.25, 0.5, 0.25]
    meta = {"until": 2023}
    return {
        "format": "narcoflow-posterior/1",
        "names": names,
        "weights": weights,
        "particles": rows,
        "meta": meta,
    }


@st.composite
def json_texts(draw: st.DrawFn, payload: Any) -> str:
    """A JSON document after 1-3 structure-aware mutations, sometimes damaged as text."""
    data = payload
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutate_tree(data)) if paths(data) else data
    text = json.dumps(data, indent=1)
    return draw(damage_text(text)) if draw(st.integers(0, 4)) == 0 else text


CBP_COLUMNS = ["FY", "Month (abbv)", "Component", "Region", "Land Filter", "Area of Responsibility"]
CBP_HEADER = ",".join([*CBP_COLUMNS, "Drug Type", "Count of Event", "Sum Qty (lbs)"])
CBP_ROWS = [
    "2019,APR,Office of Field Operations,Southwest Border,Land Only,LAREDO FIELD OFFICE,Fentanyl,1,26.45",
    "2019,APR,Office of Field Operations,Southwest Border,Land Only,SAN DIEGO FIELD OFFICE,Fentanyl,10,49.1",
    "2019,MAY,U.S. Border Patrol,Southwest Border,Land Only,TUCSON SECTOR,Fentanyl,3,12.5",
    "2020,OCT,Office of Field Operations,Southwest Border,Land Only,TUCSON FIELD OFFICE,Fentanyl,16,112.3",
]
CSV_CELLS = [
    "",
    "-1",
    "1e999",
    "nan",
    "inf",
    "x",
    "2019",
    "13",
    "FOO",
    '"',
    '"a,b"',
    "1,000",
    "0",
    "99999999999999999999",
]


@st.composite
def csv_texts(draw: st.DrawFn, header: str, rows: list[str]) -> str:
    """CSV text after 1-3 cell, row or header mutations, sometimes damaged as text."""
    table = [header.split(","), *(r.split(",") for r in rows)]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["cell", "drop_row", "dup_row", "drop_col", "add_col", "typo_header"]))
        i = draw(st.integers(0, len(table) - 1)) if table else 0
        if not table:
            break
        if op == "cell" and table[i]:
            j = draw(st.integers(0, len(table[i]) - 1))
            table[i][j] = draw(st.sampled_from(CSV_CELLS))
        elif op == "drop_row":
            table.pop(i)
        elif op == "dup_row":
            table.insert(i, list(table[i]))
        elif op == "drop_col" and table[i]:
            table[i].pop(draw(st.integers(0, len(table[i]) - 1)))
        elif op == "add_col":
            table[i].append(draw(st.sampled_from(CSV_CELLS)))
        elif op == "typo_header" and table[0]:
            j = draw(st.integers(0, len(table[0]) - 1))
            table[0][j] = _typo(table[0][j], draw(st.integers(0, 30)))
    text = "\n".join(",".join(r) for r in table) + "\n"
    return draw(damage_text(text)) if draw(st.integers(0, 4)) == 0 else text


NETWORK = {
    "source": "s",
    "sink": "t",
    "arcs": [
        {"tail": "s", "head": "a", "capacity": 3, "cost": 1},
        {"tail": "s", "head": "b", "capacity": 2, "cost": 1},
        {"tail": "a", "head": "t", "capacity": None, "cost": 2, "interdictable": True},
        {"tail": "b", "head": "t", "capacity": 4, "cost": 1},
        {"tail": "a", "head": "b", "capacity": 1, "cost": 0, "interdictable": False},
    ],
}
HT_ROWS = ["0, 3,", "0, 1 ,10000, 8, 0, 1, 0, 0,", "1, 2 ,5, 2, 0, 0, 1, 0,", "2, 3 ,4, 1, 0, 0, 0, 1,",
           "3, 0 ,10000, 0, 0, 0, 0, 0,"]  # fmt: skip
GAME_HEADER = (
    "target,defender_covered,defender_uncovered,attacker_covered,attacker_uncovered,type,type_weight"
)
GAME_ROWS = ["a,0,-10,0,10,x,0.6", "b,0,-1,0,2,x,0.6", "a,1,-5,-1,4,y,0.4", "b,0,-2,0,3,y,0.4"]
