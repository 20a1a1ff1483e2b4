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
    kind = "hold"                # a step kind (isoforce.drills.kinds) or "repeat"
    direction = "push"
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
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from isoforce.core.effort_key import ReferenceKind
from isoforce.drills._reader import MAX_SECONDS, Reader, read_toml
from isoforce.drills._toml_lines import LineIndex
from isoforce.drills.kinds import LEAF_BY_KIND
from isoforce.drills.kinds.base import MAX_INSTRUCTION_CHARS, ForceStep, LoadContext, StepKind
from isoforce.drills.model import Drill, RepeatStep, SensorNeeds, SideSpec, Step, count_leaves
from isoforce.errors import DrillFileError, IsoforceError

__all__ = [
    "MAX_DRILL_S",
    "MAX_FILE_BYTES",
    "MAX_INSTRUCTION_CHARS",
    "MAX_PLAN_STEPS",
    "MAX_REPEAT_DEPTH",
    "DrillInfo",
    "DrillNotFoundError",
    "find_drill",
    "list_builtin",
    "list_drills",
    "load_builtin",
    "load_drill",
    "load_drill_text",
    "parse_drill",
]

MAX_REPEAT_DEPTH = 3
MAX_FILE_BYTES = 1_000_000
"""Largest drill file read (1 MB; the shipped drills are about 3 kB)."""
MAX_PLAN_STEPS = 500
"""Most steps a drill may run, repeat blocks unrolled."""
MAX_DRILL_S = 3 * 3600.0
"""Longest nominal duration of a drill (3 h)."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_REPEAT_KEYS = frozenset({"kind", "times", "steps"})
_KIND_VALUES = frozenset(kind.value for kind in StepKind)
_KIND_NAMES = ", ".join(StepKind)
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


def _kind(r: Reader) -> StepKind:
    kind = r.data.get("kind")
    if kind is None:
        raise r.error("kind", f"missing (one of: {_KIND_NAMES})")
    if not isinstance(kind, str) or kind not in _KIND_VALUES:
        raise r.error("kind", f"unknown step kind {kind!r} (expected one of: {_KIND_NAMES})")
    return StepKind(kind)


def _repeat(r: Reader, ctx: _Ctx) -> RepeatStep:
    r.check_keys(_REPEAT_KEYS, "a repeat step")
    if ctx.depth >= MAX_REPEAT_DEPTH:
        raise r.error("kind", f"repeat blocks nest at most {MAX_REPEAT_DEPTH} deep")
    times = r.integer("times", None, low=1, high=100)
    inner = _Ctx(ctx.allow_above, ctx.reference, ctx.depth + 1)
    return RepeatStep(times=times, steps=_steps(r, inner))


def _step(r: Reader, ctx: _Ctx, prev: Step | None) -> Step:
    kind = _kind(r)
    if kind is StepKind.REPEAT:
        return _repeat(r, ctx)
    cls = LEAF_BY_KIND[kind]
    r.check_keys(cls.keys, f"a {kind} step")
    step = cls.load(
        r,
        LoadContext(
            allow_above=ctx.allow_above,
            reference=ctx.reference,
            prev_direction=prev.direction if isinstance(prev, ForceStep) else None,
            prev_level_pct=None if isinstance(prev, RepeatStep | None) else prev.end_level_pct,
        ),
    )
    if step.duration_s > MAX_SECONDS:
        problem = f"lasts {step.duration_s:g} s (at most {MAX_SECONDS:g} s per step)"
        raise r.error(cls.duration_key, problem)
    return step


def _steps(r: Reader, ctx: _Ctx) -> tuple[Step, ...]:
    tables = r.tables("steps")
    if len(tables) > MAX_PLAN_STEPS:
        raise r.error("steps", f"{len(tables)} steps (at most {MAX_PLAN_STEPS})")
    out: list[Step] = []
    for i, table in enumerate(tables):
        out.append(_step(r.child("steps", i, table), ctx, out[-1] if out else None))
    return tuple(out)


def _check_size(r: Reader, steps: tuple[Step, ...]) -> None:
    n = count_leaves(steps)
    if n > MAX_PLAN_STEPS:
        problem = f"runs {n} steps with repeat blocks unrolled (at most {MAX_PLAN_STEPS})"
        raise r.error("steps", problem)
    total_s = sum(step.duration_s for step in steps)
    if total_s > MAX_DRILL_S:
        limit = f"at most {MAX_DRILL_S / 3600:g} h"
        raise r.error("steps", f"the drill lasts {total_s / 60:.0f} min ({limit})")


def _sensors(r: Reader, steps: tuple[Step, ...]) -> SensorNeeds:
    derived = SensorNeeds.of_steps(steps)
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
    _check_size(r, steps)
    return Drill(
        name=drill_name, movement=movement, steps=steps, title=title, description=description,
        side=side, position=position, sensors=_sensors(r, steps), reference=reference,
        allow_above_max=allow, source=source,
    )  # fmt: skip


def _check_text(text: str, source: str) -> None:
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise DrillFileError(source, None, "file", f"too large (at most {MAX_FILE_BYTES:,} bytes)")
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DrillFileError(source, line, "file", "contains a NUL byte (not a text file?)")


def load_drill_text(text: str, *, name: str, source: str = "<text>") -> Drill:
    """Parse and check drill-file ``text``; errors name ``source`` as the file."""
    _check_text(text, source)
    data, lines = read_toml(text, source)
    return parse_drill(data, name=name, source=source, lines=lines)


def _read_text(path: Path) -> str:
    """The file's text (universal newlines), refusing one larger than :data:`MAX_FILE_BYTES`."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise DrillFileError(
                path, None, "file", f"too large (at most {MAX_FILE_BYTES:,} bytes)"
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DrillFileError(path, None, "file", f"cannot read: {exc}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_drill(path: Path | str) -> Drill:
    """Load a drill file; a ``name`` inside it must match the file name (without ``.toml``)."""
    path = Path(path)
    text = _read_text(path)
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
