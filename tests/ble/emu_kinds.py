"""Emulated devices kept in their own modules, by the kind name ``ble_fake_run`` takes."""

from __future__ import annotations

from collections.abc import Callable

from tests.ble import emu_climbro, emu_entralpi, emu_frez_dyno, emu_motherboard, emu_weight_scale
from tests.ble.ble_emulators import Emulator

#: kind → ``make(address or None, speed)``.
EMULATORS: dict[str, Callable[[str | None, float], Emulator]] = {
    m.KIND: m.make
    for m in (emu_entralpi, emu_climbro, emu_motherboard, emu_frez_dyno, emu_weight_scale)
}
