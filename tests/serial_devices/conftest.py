"""Fixtures for serial tests: ptys and device emulators that are always cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serial_devices.serial_emulators import (
    DeviceModel,
    Emulator,
    EmulatorFactory,
    Faults,
    PtyLink,
)


@pytest.fixture
def pty_link(tmp_path: Path) -> Iterator[PtyLink]:
    """A fresh pty reachable at ``tmp_path/ttyEMU0``; closed after the test."""
    link = PtyLink(tmp_path)
    try:
        yield link
    finally:
        link.close()


@pytest.fixture
def emulate(tmp_path: Path) -> Iterator[EmulatorFactory]:
    """Make emulators on new ptys: ``emulate(model, faults=..., name=...)``; all closed after."""
    made: list[Emulator] = []

    def make(
        model: DeviceModel,
        *,
        faults: Faults | None = None,
        name: str = "ttyEMU0",
        seed: int = 0,
        device_baud: int | None = None,
    ) -> Emulator:
        emulator = Emulator(
            PtyLink(tmp_path, name), model, faults=faults, seed=seed, device_baud=device_baud
        )
        made.append(emulator)
        return emulator

    try:
        yield make
    finally:
        for emulator in made:
            emulator.close()
