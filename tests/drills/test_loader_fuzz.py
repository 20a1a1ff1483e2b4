"""Property tests: whatever the drill loader is handed, it answers a Drill or a DrillFileError.

Three sources of input: TOML-ish text built from drill-file tokens, random edits of the shipped
drills, and random parsed structures (as if from TOML) with real keys and kinds. Every drill
that loads stays within the bounds and plans without error.
"""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoforce.drills import DrillEngine, list_builtin
from isoforce.drills.kinds import LEAF_BY_KIND, LEAF_TYPES, StepKind
from isoforce.drills.loader import MAX_DRILL_S, MAX_PLAN_STEPS, load_drill_text, parse_drill
from isoforce.drills.model import Drill
from isoforce.errors import DrillFileError

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
STEP_KEYS = sorted({k for cls in LEAF_TYPES for k in cls.keys} | {"times", "steps"})
TOP_KEYS = ["format", "name", "title", "description", "movement", "side", "position"]
TOP_KEYS += ["reference", "allow_above_max", "sensors"]
WORDS = ["push", "pull", "max", "both", "ir", "er", "pain_free", "mvic", "left", "either"]
WORDS += [str(k) for k in StepKind] + ["hip-ir", "yoga", ""]
TOKENS = [
    "\n", " ", "=", '"', "'", "[", "]", "[[steps]]", "[[steps.steps]]", "[sensors]", "#", ",",
    "{", "}", ".", "true", "false", "0", "1", "-1", "50", "1e999", "nan", "inf", "3.5", '"""',
    "\x00", "\r", "\t", "\u00e9", "1979-05-27", *(f"{k} = " for k in STEP_KEYS + TOP_KEYS),
    *(f'"{w}"' for w in WORDS),
]  # fmt: skip
BUILTIN_TEXTS = [
    resources.files("isoforce.drills").joinpath("builtin", f"{n}.toml").read_text("utf-8")
    for n in list_builtin()
]


def _check(drill: Drill) -> None:
    assert drill.n_plan_steps <= MAX_PLAN_STEPS
    assert drill.duration_s <= MAX_DRILL_S
    assert len(DrillEngine(drill).plan) == drill.n_plan_steps


def _load_text(text: str) -> None:
    try:
        drill = load_drill_text(text, name="fuzz", source="fuzz.toml")
    except DrillFileError as exc:
        where = str(exc)
    else:
        _check(drill)
        return
    assert where.startswith("fuzz.toml")


def _parse(data: dict[str, object]) -> None:
    try:
        drill = parse_drill(data, name="fuzz", source="fuzz.toml")
    except DrillFileError:
        return
    _check(drill)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=60).map("".join))
def test_toml_ish_text_loads_or_fails_with_a_drill_file_error(text: str) -> None:
    _load_text(text)


@st.composite
def edited_builtin(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(BUILTIN_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 40)))
        text = text[:a] + draw(st.sampled_from(TOKENS) | st.text(max_size=3)) + text[b:]
    return text


@FUZZ
@given(edited_builtin())
def test_edited_builtin_drills_load_or_fail_with_a_drill_file_error(text: str) -> None:
    _load_text(text)


SCALARS = (
    st.booleans()
    | st.integers()
    | st.integers(-(10**400), 10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 5, 50, 100, 150, 250, 3600, 1e6, -1])
    | st.sampled_from(WORDS)
    | st.text(max_size=70)
    | st.dates()
    | st.just(dt.time(1, 2))
)


PLAUSIBLE = {
    "direction": st.sampled_from(["push", "pull"]),
    "reference": st.sampled_from(["pain_free", "mvic"]),
    "directions": st.sampled_from(["both", "ir", "er"]),
    "instruction": st.text(min_size=1, max_size=70),
}
REQUIRED = frozenset({"direction", "seconds", "count", "target_pct", "to_pct", "times"})
"""Keys some kinds require: always drawn, so that most steps get past them."""
NUMBERS = st.sampled_from([0, 1, 2, 5, 10, 50, 100, 150, 250, 3600, 1e6, -1, 0.5, "max"])
VALUES = NUMBERS | SCALARS


@st.composite
def value_for(draw: st.DrawFn, key: str) -> object:
    """Mostly a plausible value for ``key``, sometimes anything."""
    if draw(st.integers(0, 3)) == 3:  # Hypothesis favours 0: make it the plausible case
        return draw(SCALARS)
    return draw(PLAUSIBLE.get(key, NUMBERS))


@st.composite
def step_table(draw: st.DrawFn, depth: int = 0) -> dict[str, object]:
    kind = draw(st.sampled_from(list(StepKind)))
    keys = LEAF_BY_KIND[kind].keys if kind in LEAF_BY_KIND else frozenset({"times"})
    chosen = draw(st.sets(st.sampled_from(sorted(keys - {"kind"})))) | (keys & REQUIRED)
    table: dict[str, object] = {key: draw(value_for(key)) for key in chosen}
    table["kind"] = str(kind) if draw(st.integers(0, 9)) < 9 else draw(VALUES)
    if draw(st.integers(0, 9)) == 9:
        table[draw(st.sampled_from(STEP_KEYS) | st.text(max_size=6))] = draw(VALUES)
    if kind is StepKind.REPEAT and depth < 4:
        table["steps"] = draw(st.lists(step_table(depth + 1), max_size=3))
    return table


@st.composite
def drill_data(draw: st.DrawFn) -> dict[str, object]:
    data: dict[str, object] = {}
    if draw(st.integers(0, 2)) == 2:
        top = st.dictionaries(st.sampled_from(TOP_KEYS), VALUES | st.lists(SCALARS), max_size=3)
        data = draw(top)
    data.setdefault("movement", "hip-ir")
    steps = st.lists(step_table(), min_size=1, max_size=6)
    data["steps"] = draw(steps if draw(st.integers(0, 9)) < 9 else SCALARS)
    if draw(st.integers(0, 4)) == 4:
        data["sensors"] = draw(st.dictionaries(st.text(max_size=10), SCALARS, max_size=3))
    return data


@FUZZ
@given(drill_data())
def test_random_structures_parse_or_fail_with_a_drill_file_error(data: dict[str, object]) -> None:
    _parse(data)


@FUZZ
@given(
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=30,
    )
)
def test_any_value_at_the_top_parses_or_fails_with_a_drill_file_error(value: object) -> None:
    _parse(value if isinstance(value, dict) else {"steps": value, "movement": "hip-ir"})


def test_nan_and_huge_numbers_are_refused_where_a_number_belongs() -> None:
    base = {"movement": "hip-ir", "steps": [{"kind": "passive", "seconds": 1}]}
    for bad in (math.nan, math.inf, 10**400):
        data = {**base, "steps": [{"kind": "passive", "seconds": bad}]}
        with pytest.raises(DrillFileError) as info:
            parse_drill(data, name="x", source="x.toml")
        assert info.value.field == "steps[1].seconds"
