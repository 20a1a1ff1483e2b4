"""Load and check TOML drill files; list and find built-in and user drills.

File format (see ``builtin/*.toml`` for complete examples)::

    name = "my-drill"            # optional; must match the file name when given
    title = "My drill"
    movement = "hip-ir"          # required: what the maxima are keyed by
    side = "either"              # left | right | either
    position = "90-90"
    reference = "pain_free"      # default reference of the steps: pain_free | mvic
    allow_above_max = false      # targets above 100 % are refused unless true

    [sensors]                    # optional; derived from the steps when absent
    force_push = true
    force_pull = true
    imu = false

    [[steps]]
    kind = "hold"                # passive breaths ramp hold release staircase max_trial
    direction = "push"           # lift_off rom repeat
    target_pct = 50              # a number or "max" (= 100 % of the reference)
    seconds = 20
    instruction = "PAILs — drive the knee into the block"

Every problem raises :class:`~isoforce.errors.DrillFileError` reading
``file:line: field: what is wrong``; fields are named like ``steps[3].seconds`` (1-based).

Where drills come from: built-ins ship inside the package; user drills are ``NAME.toml`` files
in a directory the caller passes (``user_dir``). A user drill with a built-in's name
*overrides* it: :func:`find_drill` loads the user's file and :func:`list_drills` lists it once,
marked ``overrides_builtin``. :func:`load_builtin` always reads the shipped file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import model
from isoforce.drills._reader import MAX_SECONDS, Reader
from isoforce.drills._toml_lines import LineIndex, syntax_error_location
from isoforce.drills.model import (
    FORCE_STEP_TYPES,
    PULL_INSTRUCTION,
    PUSH_INSTRUCTION,
    BreathsStep,
    Drill,
    ForceStep,
    HoldStep,
    LiftOffStep,
    MaxTrialStep,
    PassiveStep,
    RampStep,
    ReleaseStep,
    RepeatStep,
    RomStep,
    SensorNeeds,
    SideSpec,
    StaircaseStep,
    Step,
    iter_leaves,
)
from isoforce.errors import DrillFileError, IsoforceError

MAX_INSTRUCTION_CHARS = 60
"""Instructions must stay short enough to read from 2 m."""
MAX_REPEAT_DEPTH = 3

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_COMMON = frozenset({"kind", "instruction"})
_FORCE = _COMMON | {"direction", "reference", "band_pct"}
_KEYS: dict[str, frozenset[str]] = {
    "passive": _COMMON | {"seconds"},
    "breaths": _COMMON | {"count", "seconds_per_breath"},
    "ramp": _FORCE | {"from_pct", "to_pct", "seconds", "rate_pct_per_s"},
    "hold": _FORCE | {"target_pct", "seconds"},
    "release": _FORCE | {"from_pct", "seconds", "rate_pct_per_s"},
    "staircase": _FORCE | {"step_pct", "step_s", "ceiling_pct", "start_pct"},
    "max_trial": _COMMON
    | {"direction", "reference", "seconds", "rest_s", "trials", "ready_s"}
    | {"target_pct"},
    "lift_off": _COMMON | {"count", "hold_last_s", "lift_s", "lower_s"},
    "rom": _COMMON | {"reps", "rotate_s", "return_s", "directions"},
    "repeat": frozenset({"kind", "times", "steps"}),
}
_TOP_KEYS = frozenset(
    {"format", "name", "title", "description", "movement", "side", "position", "reference"}
    | {"allow_above_max", "sensors", "steps"}
)


class DrillNotFoundError(IsoforceError, LookupError):
    """No built-in or user drill has the requested name."""


@dataclass(frozen=True, slots=True)
class DrillInfo:
    """A drill that can be loaded by name: where it lives and whether it replaces a built-in."""

    name: str
    origin: str
    """``builtin`` or ``user``."""
    location: str
    overrides_builtin: bool = False


@dataclass(frozen=True, slots=True)
class _Ctx:
    allow_above: bool
    reference: ReferenceKind
    depth: int


def _name(r: Reader, key: str, default: str) -> str:
    value = r.string(key, default)
    if not _NAME.match(value):
        raise r.error(key, f"{value!r} must be lower-case letters, digits, '-' or '_'")
    return value


def _instruction(r: Reader, default: str) -> str:
    return r.string("instruction", default, max_len=MAX_INSTRUCTION_CHARS)


def _rate(r: Reader) -> float | None:
    if r.has("seconds") and r.has("rate_pct_per_s"):
        raise r.error("rate_pct_per_s", "give either seconds or rate_pct_per_s, not both")
    return r.number("rate_pct_per_s", 0.0, low=0.0, high=50.0) or None


def _end_level(step: Step | None) -> float | None:
    if isinstance(step, RampStep):
        return step.to_pct
    if isinstance(step, HoldStep):
        return step.target_pct
    if isinstance(step, StaircaseStep):
        return step.ceiling_pct
    return None


def _force_step(r: Reader, kind: str, ctx: _Ctx, prev: Step | None) -> Step:
    above = ctx.allow_above
    prev_dir = prev.direction if isinstance(prev, ForceStep) else None
    if kind == "release" and prev_dir is not None:
        direction = r.choice("direction", Direction, prev_dir)
    else:
        direction = r.choice("direction", Direction)
    ref_default = ReferenceKind.MVIC if kind == "max_trial" else ctx.reference
    reference = r.choice("reference", ReferenceKind, ref_default)
    band = r.number("band_pct", 0.0, low=0.0, high=50.0) or None
    text = PUSH_INSTRUCTION if direction is Direction.PUSH else PULL_INSTRUCTION
    step: Step
    if kind == "ramp":
        start = r.pct("from_pct", 0.0, allow_above=above)
        end = r.pct("to_pct", None, allow_above=above)
        if end == start:
            raise r.error("to_pct", f"equals from_pct ({start:g} %): use a hold")
        seconds, rate = r.opt_seconds("seconds"), _rate(r)
        step = RampStep(
            direction=direction, reference=reference, band_pct=band,
            instruction=_instruction(r, text),
            from_pct=start, to_pct=end, seconds=seconds, rate_pct_per_s=rate,
        )  # fmt: skip
    elif kind == "hold":
        target = r.pct("target_pct", None, allow_above=above)
        seconds = r.seconds("seconds")
        step = HoldStep(
            direction=direction, reference=reference, band_pct=band,
            instruction=_instruction(r, text), target_pct=target, seconds=seconds,
        )  # fmt: skip
    elif kind == "release":
        level = _end_level(prev)
        if not r.has("from_pct") and not level:
            raise r.error("from_pct", "missing: no load before this step to release from")
        start = r.pct("from_pct", level, allow_above=above, positive=True)
        seconds, rate = r.opt_seconds("seconds"), _rate(r)
        step = ReleaseStep(
            direction=direction, reference=reference, band_pct=band,
            instruction=_instruction(r, model.RELEASE_INSTRUCTION),
            from_pct=start, seconds=seconds, rate_pct_per_s=rate,
        )  # fmt: skip
    elif kind == "staircase":
        step_pct = r.number("step_pct", 10.0, low=0.0, high=50.0)
        step_s = r.seconds("step_s", 2.0)
        ceiling = r.pct("ceiling_pct", 100.0, allow_above=above, positive=True)
        first = r.opt_pct("start_pct", allow_above=above, positive=True)
        if first is not None and first > ceiling:
            raise r.error("start_pct", f"{first:g} % is above ceiling_pct ({ceiling:g} %)")
        stairs = StaircaseStep(
            direction=direction, reference=reference, band_pct=band,
            instruction=_instruction(r, model.STAIRCASE_INSTRUCTION),
            step_pct=step_pct, step_s=step_s, ceiling_pct=ceiling, start_pct=first,
        )  # fmt: skip
        if len(stairs.levels) > 100:
            raise r.error("step_pct", f"makes {len(stairs.levels)} levels (at most 100)")
        step = stairs
    else:
        step = _max_trial(r, direction, reference, above)
    if step.duration_s > MAX_SECONDS:
        key = "rate_pct_per_s" if kind in ("ramp", "release") else None
        raise r.error(key, f"lasts {step.duration_s:g} s (at most {MAX_SECONDS:g} s per step)")
    return step


def _max_trial(r: Reader, direction: Direction, reference: ReferenceKind, above: bool) -> Step:
    return MaxTrialStep(
        direction=direction, reference=reference,
        instruction=_instruction(r, model.MAX_TRIAL_INSTRUCTION),
        target_pct=r.pct("target_pct", 100.0, allow_above=above, positive=True),
        seconds=r.seconds("seconds", 5.0), rest_s=r.seconds("rest_s", 60.0, allow_zero=True),
        trials=r.integer("trials", 3, low=1, high=10),
        ready_s=r.seconds("ready_s", 5.0, allow_zero=True),
    )  # fmt: skip


_ROM_DIRECTIONS = {"both": ("ir", "er"), "ir": ("ir",), "er": ("er",)}


def _rom(r: Reader) -> Step:
    which = r.string("directions", "both")
    if which not in _ROM_DIRECTIONS:
        raise r.error("directions", f"unknown value {which!r} (expected one of: both, ir, er)")
    return RomStep(
        reps=r.integer("reps", 2, low=1, high=10),
        rotate_s=r.seconds("rotate_s", 8.0),
        return_s=r.seconds("return_s", 5.0),
        directions=_ROM_DIRECTIONS[which],
        instruction=_instruction(r, model.ROM_INSTRUCTION),
    )


def _step(r: Reader, ctx: _Ctx, prev: Step | None) -> Step:
    kind = r.data.get("kind")
    if kind is None:
        raise r.error("kind", f"missing (one of: {', '.join(_KEYS)})")
    if not isinstance(kind, str) or kind not in _KEYS:
        raise r.error("kind", f"unknown step kind {kind!r} (expected one of: {', '.join(_KEYS)})")
    r.check_keys(_KEYS[kind], f"a {kind} step")
    if kind == "passive":
        return PassiveStep(
            seconds=r.seconds("seconds"), instruction=_instruction(r, model.PASSIVE_INSTRUCTION)
        )
    if kind == "breaths":
        return BreathsStep(
            count=r.integer("count", None, low=1, high=30),
            seconds_per_breath=r.number("seconds_per_breath", 5.0, low=0.0, high=30.0),
            instruction=_instruction(r, model.BREATHS_INSTRUCTION),
        )
    if kind == "lift_off":
        return LiftOffStep(
            count=r.integer("count", 3, low=1, high=20),
            hold_last_s=r.seconds("hold_last_s", 5.0, allow_zero=True),
            lift_s=r.seconds("lift_s", 3.0),
            lower_s=r.seconds("lower_s", 3.0),
            instruction=_instruction(r, model.LIFT_OFF_INSTRUCTION),
        )
    if kind == "rom":
        return _rom(r)
    if kind == "repeat":
        if ctx.depth >= MAX_REPEAT_DEPTH:
            raise r.error("kind", f"repeat blocks nest at most {MAX_REPEAT_DEPTH} deep")
        times = r.integer("times", None, low=1, high=100)
        inner = _Ctx(ctx.allow_above, ctx.reference, ctx.depth + 1)
        return RepeatStep(times=times, steps=_steps(r, inner))
    return _force_step(r, kind, ctx, prev)


def _steps(r: Reader, ctx: _Ctx) -> tuple[Step, ...]:
    out: list[Step] = []
    for i, table in enumerate(r.tables("steps")):
        out.append(_step(r.child("steps", i, table), ctx, out[-1] if out else None))
    return tuple(out)


def _sensors(r: Reader, steps: tuple[Step, ...]) -> SensorNeeds:
    leaves = list(iter_leaves(steps))
    directions = {s.direction for s in leaves if isinstance(s, FORCE_STEP_TYPES)}
    derived = SensorNeeds(
        force_push=Direction.PUSH in directions,
        force_pull=Direction.PULL in directions,
        imu=any(isinstance(s, LiftOffStep | RomStep) for s in leaves),
    )
    if not r.has("sensors"):
        return derived
    table = r.data["sensors"]
    if not isinstance(table, dict):
        raise r.error("sensors", "must be a table ([sensors])")
    s = Reader(r.source, r.lines, table, ("sensors",), "sensors")
    s.check_keys({"force_push", "force_pull", "imu"}, "[sensors]")
    return SensorNeeds(
        force_push=s.boolean("force_push", derived.force_push),
        force_pull=s.boolean("force_pull", derived.force_pull),
        imu=s.boolean("imu", derived.imu),
    )


def parse_drill(
    data: Mapping[str, object], *, name: str, source: str, lines: LineIndex | None = None
) -> Drill:
    """Check parsed TOML ``data`` and build a :class:`Drill` (``name`` if the data has none)."""
    r = Reader(source, lines or LineIndex(""), data, (), "")
    r.check_keys(_TOP_KEYS, "a drill file")
    r.integer("format", 1, low=1, high=1)
    drill_name = _name(r, "name", name)
    allow = r.boolean("allow_above_max", False)
    reference = r.choice("reference", ReferenceKind, ReferenceKind.PAIN_FREE)
    if not r.has("movement"):
        raise r.error("movement", 'missing (required), e.g. movement = "hip-ir"')
    movement = _name(r, "movement", "")
    title = r.string("title", drill_name, max_len=80)
    description = r.string("description", "")
    side = r.choice("side", SideSpec, SideSpec.EITHER)
    position = r.string("position", "default", max_len=40)
    steps = _steps(r, _Ctx(allow, reference, 0))
    return Drill(
        name=drill_name, movement=movement, steps=steps, title=title, description=description,
        side=side, position=position, sensors=_sensors(r, steps), reference=reference,
        allow_above_max=allow, source=source,
    )  # fmt: skip


def load_drill_text(text: str, *, name: str, source: str = "<text>") -> Drill:
    """Parse and check drill-file ``text``; errors name ``source`` as the file."""
    lines = LineIndex(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = syntax_error_location(str(exc), lines.n_lines)
        raise DrillFileError(source, line, "toml", problem) from None
    return parse_drill(data, name=name, source=source, lines=lines)


def load_drill(path: Path | str) -> Drill:
    """Load a drill file; a ``name`` inside it must match the file name (without ``.toml``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DrillFileError(path, None, "file", f"cannot read: {exc}") from None
    drill = load_drill_text(text, name=path.stem, source=str(path))
    if drill.name != path.stem:
        line = LineIndex(text).line_of(("name",))
        problem = f"{drill.name!r} does not match the file name {path.stem!r}"
        raise DrillFileError(path, line, "name", problem)
    return drill


def _builtin_dir() -> Traversable:
    return resources.files("isoforce.drills").joinpath("builtin")


def list_builtin() -> tuple[str, ...]:
    """Names of the built-in drills, sorted."""
    return tuple(
        sorted(
            e.name[: -len(".toml")] for e in _builtin_dir().iterdir() if e.name.endswith(".toml")
        )
    )


def load_builtin(name: str) -> Drill:
    """Load a built-in drill by name; :class:`DrillNotFoundError` if there is none."""
    if name not in list_builtin():
        raise DrillNotFoundError(f"no built-in drill {name!r} (have: {', '.join(list_builtin())})")
    entry = _builtin_dir().joinpath(f"{name}.toml")
    return load_drill_text(entry.read_text(encoding="utf-8"), name=name, source=str(entry))


def _user_files(user_dir: Path | None) -> dict[str, Path]:
    if user_dir is None or not user_dir.is_dir():
        return {}
    return {p.stem: p for p in sorted(user_dir.glob("*.toml")) if p.is_file()}


def list_drills(user_dir: Path | None = None) -> tuple[DrillInfo, ...]:
    """Built-in and user drills by name; a user drill replaces a built-in of the same name."""
    builtin = set(list_builtin())
    infos = {n: DrillInfo(n, "builtin", f"builtin:{n}") for n in builtin}
    for n, p in _user_files(user_dir).items():
        infos[n] = DrillInfo(n, "user", str(p), overrides_builtin=n in builtin)
    return tuple(infos[n] for n in sorted(infos))


def find_drill(name: str, user_dir: Path | None = None) -> Drill:
    """Load drill ``name``: the user's file if there is one, else the built-in."""
    user = _user_files(user_dir)
    if name in user:
        return load_drill(user[name])
    if name in list_builtin():
        return load_builtin(name)
    known = ", ".join(info.name for info in list_drills(user_dir))
    raise DrillNotFoundError(f"no drill named {name!r} (have: {known})")
