"""``isoforce imu``: watch an IMU headless (angle, stillness, lift-offs, effort estimate band).

``isoforce imu calibrate --out mmg.json`` runs this session's muscle-vibration calibration
(still zero pose, then rest, a moderate and a max effort at the training angle) and writes it;
``isoforce imu --mmg mmg.json`` then shows the effort *estimate* with its band.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    run_until_interrupted,
)
from isoforce.cli.output import open_output
from isoforce.cli.record import add_device_arguments, session_options
from isoforce.cli.values import DURATION_S, INTERVAL_S, output_file
from isoforce.devices.registry import device_spec
from isoforce.errors import CalibrationError, ConfigError

if TYPE_CHECKING:  # heavy modules load when the command runs, not for --help
    from isoforce.live import LiveFrame, LiveSession
    from isoforce.signal.imu import ImuView, MmgCalibration

#: Calibration phases: name, what the user is asked, nominal effort %, share of ``--hold``.
PHASES: tuple[tuple[str, str, float], ...] = (
    ("rest", "relax completely", 0.0),
    ("moderate", "push at about half of your max", 50.0),
    ("max", "push as hard as you can without pain", 100.0),
)
ZERO_S = 2.0
SETTLE_S = 1.5


def register(sub: Any) -> None:
    """Add the ``imu`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "imu",
        help="watch an IMU: angle, stillness, lift-offs and an effort estimate (headless)",
        description=(
            "Stream an IMU and print its hip rotation angle, stillness, lift-offs and muscle-"
            "vibration effort estimate (with its band). 'imu calibrate' records this "
            "session's effort calibration."
        ),
    )
    p.add_argument(
        "action", nargs="?", choices=("watch", "calibrate"), default="watch", help="what to do"
    )
    add_device_arguments(p)
    p.set_defaults(device="sim-imu")
    p.add_argument(
        "--duration",
        type=DURATION_S,
        default=30.0,
        metavar="S",
        help=f"seconds ({DURATION_S.span})",
    )
    p.add_argument(
        "--every",
        type=INTERVAL_S,
        default=1.0,
        metavar="S",
        help=f"print a line every S s ({INTERVAL_S.span})",
    )
    p.add_argument(
        "--hold",
        type=INTERVAL_S,
        default=5.0,
        metavar="S",
        help=f"calibrate: seconds per effort ({INTERVAL_S.span})",
    )
    p.add_argument(
        "--out", type=output_file, default=None, metavar="FILE", help="calibrate: where to write it"
    )
    p.set_defaults(handler=run_imu)


def view_line(view: ImuView) -> str:
    """One status line: angle, stillness, lift-off phase and the effort estimate's band."""
    angle = (
        f"angle {view.angle_deg:+6.1f}°" if view.angle_deg is not None else f"({view.zero_hint})"
    )
    rom = ""
    if view.ir_max_deg is not None and view.er_max_deg is not None:
        rom = f"  IR max {view.ir_max_deg:4.1f}° ER max {view.er_max_deg:4.1f}°"
    motion = "still " if view.still else "MOVING"
    lift = view.lift_phase + (f" {view.hold_s:.1f} s" if view.lift_phase == "hold" else "")
    return f"t={view.t_s:6.1f} s  {angle}{rom}  {motion}  lift-off: {lift}  effort: {view.effort.label()}"


def run_imu(args: argparse.Namespace) -> int:
    """Handler of ``isoforce imu``."""
    from isoforce.cli.live_output import LinkReporter
    from isoforce.live.build import open_session

    spec = device_spec(args.device)
    if not spec.capabilities.imu:
        raise ConfigError(
            f"{spec.key} has no IMU; pick one of the IMU devices ('isoforce devices')"
        )
    if args.action == "calibrate" and args.out is None:
        print("isoforce imu calibrate: error: give --out FILE", file=sys.stderr)
        return 2
    options = session_options(args)
    printer = _Printer(every_s=args.every)
    session = open_session(options, consumers=[printer, LinkReporter()])
    from isoforce.signal.imu import PLACEMENT_GUIDANCE, Placement

    print(PLACEMENT_GUIDANCE[Placement(session.header.imu_placement or "shank")])
    duration = args.duration
    collector: _Collector | None = None
    if args.action == "calibrate":
        collector = _Collector(session, hold_s=args.hold)
        printer.collector = collector
        duration = collector.total_s
        print(f"hold still {ZERO_S:g} s at the training angle to set the zero pose")

    async def go(stop: asyncio.Event) -> None:
        await session.run(duration_s=duration, stop=stop)

    interrupted = run_until_interrupted(go)
    outcome = session.outcome
    assert outcome is not None and outcome.imu_view is not None
    view = outcome.imu_view
    lifts = outcome.lift_offs
    print(
        f"done: {len(lifts)} lift-off(s)"
        + "".join(f"; hold {lift.hold_s:.1f} s at {lift.top_deg:+.1f}°" for lift in lifts)
    )
    if view.dual is not None:
        print(view.dual.summary())
    if collector is not None and not interrupted:
        calibration = collector.calibration()
        with open_output(args.out) as file:
            file.text.write(json.dumps(calibration.to_dict(), indent=2) + "\n")
        levels = ", ".join(
            f"{e:.0f} % → {r * 1000:.2f} mg"
            for r, e in zip(calibration.rms_g, calibration.effort_pct, strict=True)
        )
        print(f"effort calibration ({calibration.source}): {levels}; written to {args.out}")
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


class _Printer:
    """Prints a status line every ``every_s`` of session time (and the calibration prompts)."""

    def __init__(self, *, every_s: float) -> None:
        self.every_s = every_s
        self.collector: _Collector | None = None
        self._next = 0.0

    def on_start(self, header: object) -> None:
        """Nothing to do at the start."""
        del header

    def on_end(self, outcome: object) -> None:
        """Nothing to do at the end."""
        del outcome

    def on_frame(self, frame: LiveFrame) -> None:
        """Feed the calibration and print a status line every ``every_s``."""
        view = frame.imu_view
        if view is None or not len(frame):
            return
        if self.collector is not None:
            self.collector.take(frame)
        if math.isfinite(view.t_s) and view.t_s >= self._next:
            self._next = view.t_s + self.every_s
            print(view_line(view), flush=True)


class _Collector:
    """Guides the calibration phases and keeps each phase's usable MMG levels."""

    def __init__(self, session: LiveSession, *, hold_s: float) -> None:
        from isoforce.transports.sim import SimTransport

        self.session = session
        self.hold_s = hold_s
        self.total_s = ZERO_S + hold_s * len(PHASES)
        self._rms: dict[str, list[float]] = {name: [] for name, _, _ in PHASES}
        self._cell: dict[str, list[float]] = {name: [] for name, _, _ in PHASES}
        self._announced = -1
        if isinstance(session.transport, SimTransport):  # the simulated person follows along
            session.transport.set_angle(lambda t: 0.0 * t)
            session.transport.set_target(self._nominal)

    def _phase(self, t_s: float) -> int:
        return int((t_s - ZERO_S) // self.hold_s) if t_s >= ZERO_S else -1

    def _nominal(self, t_s: Any) -> Any:
        import numpy as np

        index = np.clip((np.asarray(t_s) - ZERO_S) // self.hold_s, -1, len(PHASES) - 1)
        efforts = np.array([0.0] + [e for _, _, e in PHASES])
        return efforts[index.astype(int) + 1]

    def take(self, frame: LiveFrame) -> None:
        import numpy as np

        from isoforce.signal.imu import Refusal

        last = frame.imu_derived
        if last is None:
            return
        phase = self._phase(frame.last_t_s)
        if phase > self._announced and phase < len(PHASES):
            self._announced = phase
            name, ask, _ = PHASES[phase]
            print(f"--- {name}: {ask} for {self.hold_s:g} s, keep the leg still", flush=True)
        start = ZERO_S + np.floor((last.t_s - ZERO_S) / self.hold_s) * self.hold_s
        usable = (
            np.isin(last.mmg.refusal, (Refusal.NONE, Refusal.NOT_CALIBRATED))
            & (last.t_s - start >= SETTLE_S)
            & (last.t_s >= ZERO_S)
        )
        for i in np.flatnonzero(usable):
            k = self._phase(float(last.t_s[i]))
            if 0 <= k < len(PHASES):
                name = PHASES[k][0]
                self._rms[name].append(float(last.mmg.rms_g[i]))
                if i < len(frame) and np.isfinite(frame.effort_pct[i]):
                    self._cell[name].append(abs(float(frame.effort_pct[i])))

    def calibration(self) -> MmgCalibration:
        """The calibration from the phases (efforts from the load cell when it measured them)."""
        import numpy as np

        from isoforce.signal.imu import MmgCalibration

        points = []
        by_cell = all(self._cell[name] for name, _, _ in PHASES)
        for name, _, nominal in PHASES:
            if not self._rms[name]:
                raise CalibrationError(f"no still samples during '{name}': hold still and retry")
            effort = float(np.median(self._cell[name])) if by_cell else nominal
            points.append((float(np.median(self._rms[name])), effort))
        return MmgCalibration.from_points(points, source="load cell" if by_cell else "nominal")
