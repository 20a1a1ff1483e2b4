"""Setup screens: device picker, calibration, drill picker."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from isoforce.core.effort_key import Side
from isoforce.core.movements import MOVEMENTS, POSITIONS, movement_title, position_title
from isoforce.devices.base import DeviceSpec
from isoforce.devices.registry import DEVICES
from isoforce.errors import IsoforceError
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.screens.calibration import CalibrationScreen
from isoforce.tui.screens.free import FreeScreen
from isoforce.tui.screens.live import HistoryScreen, ReferencesScreen
from isoforce.tui.screens.replay import refresh_replay_option, replay_options, start_replay


class DeviceScreen(IsoScreen):
    """Pick a device; each shows what it can measure. ``s`` scans serial ports and Bluetooth."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "scan", "scan for sensors"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._found: dict[str, tuple[str, str]] = {}
        self._resumed = False

    def on_screen_resume(self) -> None:
        """Back on top after a session: the replay entry counts what is stored now."""
        super().on_screen_resume()
        if self._resumed:  # compose counted them the first time
            refresh_replay_option(self.iso_app, self.query_one("#devices", OptionList))
        self._resumed = True

    def compose(self) -> ComposeResult:
        """The simulators, the device given on the command line, and what a scan finds."""
        yield Static("Pick a sensor", classes="title")
        options = self.iso_app.controller.options
        shown = [key for key, spec in DEVICES.items() if spec.transport == "sim"]
        if options.device not in shown:
            shown.insert(0, options.device)
        items = []
        for key in shown:
            spec = DEVICES[key]
            given = key == options.device and spec.transport != "sim"
            where = (options.port or options.address or "") if given else ""
            at = f" at {where}" if where else ""
            if key == options.device and self.iso_app.config.device_remembered:
                at += " (last used)"
            items.append(
                Option(
                    f"{spec.title}{at}  —  measures {spec.capabilities.describe()}, "
                    f"{spec.nominal_rate_hz:g} Hz{_experimental_tag(spec)}",
                    id=key,
                )
            )
        items.extend(replay_options(self.iso_app))
        devices = OptionList(*items, id="devices")
        devices.highlighted = shown.index(options.device)  # the given or last used device
        yield devices
        yield Static(
            "Press s to scan serial ports and Bluetooth for real sensors.",
            id="scan-status",
            classes="hint",
        )
        yield Footer()

    def action_scan(self) -> None:
        """Scan serial ports and Bluetooth (read-only: never connects) in the background."""
        self.query_one("#scan-status", Static).update("scanning serial ports and Bluetooth…")
        self.run_worker(self._scan(), exclusive=True, group="scan")

    async def _scan(self) -> None:
        from isoforce.transports.ble_scan import BleScanner
        from isoforce.transports.discovery import Scanner, scan_all
        from isoforce.transports.serial_scan import SerialScanner

        scanners: list[Scanner] = [SerialScanner(), BleScanner()]
        sections = await scan_all(scanners)
        devices = self.query_one("#devices", OptionList)
        notes = []
        for section in sections:
            if section.error:
                notes.append(f"{section.title}: {section.error}")
            for found in section.found:
                if found.device is None or found.device not in DEVICES:
                    continue
                ident = f"found-{len(self._found)}"
                self._found[ident] = (found.device, found.address)
                spec = DEVICES[found.device]
                devices.add_option(
                    Option(
                        f"{spec.title}{' (EXPERIMENTAL)' if spec.experimental else ''} at "
                        f"{found.address}  —  {found.description}",
                        id=ident,
                    )
                )
        count = len(self._found)
        summary = f"found {count} sensor(s)" if count else "no supported sensors found"
        self.query_one("#scan-status", Static).update("; ".join([summary, *notes]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Start the chosen device in free mode and go to calibration."""
        ident = event.option.id
        assert ident is not None
        if start_replay(self.iso_app, ident):
            return
        key, address = self._found.get(ident, (ident, None))
        spec = DEVICES[key]
        if spec.force_channel is not None and not spec.capabilities.imu:
            imus = {i: found for i, found in self._found.items() if _is_imu(found[0])}
            self.app.push_screen(PairImuScreen(key, address, imus))
            return
        self.iso_app.use_device(key, address=address)
        self.app.push_screen(CalibrationScreen())


def _is_imu(key: str) -> bool:
    """Whether a device is an IMU with no force of its own (what ``--imu`` pairs)."""
    spec = DEVICES[key]
    return spec.capabilities.imu and spec.force_channel is None


class PairImuScreen(IsoScreen):
    """The pairing step: an IMU to read beside the chosen force device, or none."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "back")]

    def __init__(self, device: str, address: str | None, found: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.device = device
        self.address = address
        self.found = found

    def compose(self) -> ComposeResult:
        """No IMU, the simulated one, the IMU given on the command line, and scanned ones."""
        yield Static(f"Add an IMU to {DEVICES[self.device].title}?", classes="title")
        options = self.iso_app.controller.options
        items = [Option("No IMU: force only", id="none")]
        keys = ["sim-imu"]
        if options.imu_device and options.imu_device not in keys:
            keys.insert(0, options.imu_device)
        for key in keys:
            where = options.imu_port or options.imu_address or ""
            at = f" at {where}" if key == options.imu_device and where else ""
            items.append(Option(f"{DEVICES[key].title}{at}", id=f"key-{key}"))
        items += [
            Option(f"{DEVICES[key].title} at {address}", id=ident)
            for ident, (key, address) in self.found.items()
        ]
        yield OptionList(*items, id="imus")
        yield Static(
            "The IMU adds the joint angle (force at angle), stillness and lift-offs; both "
            "streams share one timeline. Its loss never stops the session.",
            classes="hint",
        )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Use the force device with the chosen IMU (or none), then calibrate."""
        ident = event.option.id
        assert ident is not None
        imu: str | None = None
        imu_at: str | None = None
        if ident.startswith("key-"):
            imu = ident.removeprefix("key-")
            options = self.iso_app.controller.options
            imu_at = (
                (options.imu_port or options.imu_address) if imu == options.imu_device else None
            )
        elif ident in self.found:
            imu, imu_at = self.found[ident]
        self.iso_app.use_device(self.device, address=self.address, imu=imu, imu_address=imu_at)
        self.app.push_screen(CalibrationScreen())


class DrillPickerScreen(IsoScreen):
    """Pick a drill (built-in or the user's own) and the side; or free mode, maxima, history."""

    is_picker = True

    BINDINGS: ClassVar[list[BindingType]] = [
        # named in the title next to what they change, so the footer fits 80 columns
        Binding("l", "side('left')", "left side", show=False),
        Binding("r", "side('right')", "right side", show=False),
        Binding("e", "side('')", "no side", show=False),
        Binding("v", "movement", "movement", show=False),
        Binding("o", "position", "position", show=False),
        Binding("a", "athlete", "athlete", show=False),
        Binding("f", "free", "free mode"),
        Binding("m", "references", "maxima"),
        Binding("h", "history", "history"),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def _title(self) -> str:
        controller = self.iso_app.controller
        side = controller.side
        which = f"side: {side.value}" if side is not None else "side: none (maxima are not kept)"
        choices = controller.choices
        movement = movement_title(choices.movement) if choices.movement else "each drill's own"
        position = position_title(choices.position) if choices.position else "each drill's own"
        head = f"Pick a drill  ·  {which} (l / r / e)"
        if self._several_athletes():
            head = f"Pick a drill for {self.iso_app.athlete_name} (a)  ·  {which} (l / r / e)"
        return f"{head}\nmovement: {movement} (v)  ·  position: {position} (o)"

    def _several_athletes(self) -> bool:
        """Whether the picker names the athlete (a store with more than the default one)."""
        return len(self.iso_app.athletes) > 1 or self.iso_app.controller.athlete is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the athlete key from a single user (a store with only the default athlete)."""
        if action == "athlete":
            return self._several_athletes()
        return True

    def action_athlete(self) -> None:
        """Next athlete, with their remembered side, movement and position."""
        app = self.iso_app
        names = app.athletes or ["default"]
        current = app.athlete_name
        at = names.index(current) if current in names else -1
        app.load_athlete(names[(at + 1) % len(names)])
        self._update_title()

    def _update_title(self) -> None:
        self.query_one("#picker-title", Static).update(self._title())

    def on_screen_resume(self) -> None:
        """Back on top: the side may have changed meanwhile (the summary's other side)."""
        super().on_screen_resume()
        self._update_title()

    def action_side(self, side: str) -> None:
        """Choose the body side the drill is for."""
        self.iso_app.controller.side = Side(side) if side else None
        self._update_title()

    def action_movement(self) -> None:
        """Next movement: each drill's own, then every known movement in turn."""
        controller = self.iso_app.controller
        choice = _next_choice(controller.choices.movement, tuple(MOVEMENTS))
        controller.choices = replace(controller.choices, movement=choice)
        self._update_title()

    def action_position(self) -> None:
        """Next body position: each drill's own, then every known position in turn."""
        controller = self.iso_app.controller
        choice = _next_choice(controller.choices.position, tuple(POSITIONS))
        controller.choices = replace(controller.choices, position=choice)
        self._update_title()

    def action_history(self) -> None:
        """Maxima over time and left/right asymmetry."""
        self.app.push_screen(HistoryScreen())

    def compose(self) -> ComposeResult:
        """List the drills."""
        from isoforce.drills.loader import find_drill, list_drills

        yield Static(self._title(), classes="title", id="picker-title")
        options = []
        for info in list_drills(self.iso_app.drills_dir):
            try:
                drill = find_drill(info.name, self.iso_app.drills_dir)
                options.append(
                    Option(
                        f"{drill.title or drill.name}  ({drill.duration_s / 60:.1f} min)",
                        id=info.name,
                    )
                )
            except IsoforceError as exc:
                options.append(Option(f"{info.name}: invalid ({exc})", id=info.name, disabled=True))
        yield OptionList(*options, id="drills")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Start the drill."""
        assert event.option.id is not None
        self.iso_app.start_drill(event.option.id)

    def action_free(self) -> None:
        """Free mode: live force and effort % with no drill."""
        self.app.push_screen(FreeScreen())

    def action_references(self) -> None:
        """The maxima screen: stored maxima per side, movement, position and direction."""
        self.app.push_screen(ReferencesScreen())


def _next_choice(current: str | None, known: tuple[str, ...]) -> str | None:
    """The choice after ``current`` in ``(None, *known)``, wrapping round."""
    ring: tuple[str | None, ...] = (None, *known)
    at = ring.index(current) if current in ring else 0
    return ring[(at + 1) % len(ring)]


__all__ = [
    "CalibrationScreen",
    "DeviceScreen",
    "DrillPickerScreen",
    "FreeScreen",
    "HistoryScreen",
    "ReferencesScreen",
]


def _experimental_tag(spec: DeviceSpec) -> str:
    """`` — EXPERIMENTAL: why`` for a device whose protocol is not confirmed, else nothing."""
    return f"  —  EXPERIMENTAL: {spec.experimental}" if spec.experimental else ""
