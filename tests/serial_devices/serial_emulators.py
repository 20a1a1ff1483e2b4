"""Serial device emulators: byte-exact device output written into a pseudo-terminal at real rate.

isoforce opens the pty's slave through a stable symlink exactly as it opens ``/dev/ttyUSB0``.
The emulator builds its bytes itself from the documented formats (``struct``, f-strings), not
with isoforce's codecs, so a test compares two independent readings of the same documents.

Faults: garbage bursts, corrupted frames, truncated frames, dropped frames (``Faults``), a
device that stops mid-frame (``stop_mid_frame``), a port that vanishes and returns (``unplug``/
``replug``: the master closes, the symlink goes, a new pty appears under the same path), and a
device that speaks only at its own baud rate (``device_baud``: garbage at any other rate).

Every fault is followed by at least ``Faults.gap_frames`` intact frames, so each injected fault
is one separate run of dropped bytes for the decoder: what was injected can be counted exactly.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.serial_devices.serial_device_models import (
    DeviceModel,
    Hx711Text,
    IsoforceFirmware,
    WitMotionUart,
    crc16_ccitt_false,
    isoforce_frame,
    wit_frame,
)

__all__ = [
    "DeviceModel",
    "Emulator",
    "EmulatorFactory",
    "Faults",
    "Hx711Text",
    "IsoforceFirmware",
    "Ledger",
    "MemoryLink",
    "PtyLink",
    "Sent",
    "WitMotionUart",
    "crc16_ccitt_false",
    "generate",
    "isoforce_frame",
    "wait_until",
    "wit_frame",
]

_BAUDS = {
    getattr(termios, f"B{b}"): b
    for b in (4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
    if hasattr(termios, f"B{b}")
}
WRITE_DEADLINE_S = 0.5


class PtyLink:
    """A pty whose slave is reachable at ``path`` (a symlink), which can vanish and come back."""

    def __init__(self, directory: Path, name: str = "ttyEMU0") -> None:
        self.path = directory / name
        self.master = -1
        self.slave_name = ""
        self.lock = threading.Lock()
        self.appear()

    @property
    def present(self) -> bool:
        return self.master >= 0

    def appear(self) -> None:
        """Create a new pty and point ``path`` at its slave."""
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/NL translation for bytes written before isoforce opens
        self.slave_name = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        tmp = self.path.with_name(self.path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(self.slave_name)
        tmp.replace(self.path)
        self.master = master

    def vanish(self) -> None:
        """Unplug: the path disappears and the open slave sees a hang-up."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def slave_baud(self) -> int | None:
        """The baud rate the reader set on the slave (the master sees the slave's termios)."""
        if self.master < 0:
            return None
        try:
            return _BAUDS.get(termios.tcgetattr(self.master)[5])
        except termios.error:
            return None

    def write(self, data: bytes) -> int:
        """Write all of ``data`` unless the reader stalls for WRITE_DEADLINE_S; bytes written."""
        done = 0
        deadline = time.monotonic() + WRITE_DEADLINE_S
        while done < len(data) and self.master >= 0:
            try:
                done += os.write(self.master, data[done:])
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                select.select([], [self.master], [], min(left, 0.05))
            except OSError:
                break
        return done

    def close(self) -> None:
        self.vanish()


class MemoryLink:
    """A stand-in for :class:`PtyLink` that keeps the bytes (for decoder tests with no pty)."""

    present = True

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = bytearray()
        self.writes: list[int] = []  # where each write ended

    def write(self, data: bytes) -> int:
        self.data += data
        self.writes.append(len(self.data))
        return len(data)

    def slave_baud(self) -> int | None:
        return None

    def close(self) -> None:
        pass


def generate(emulator: Emulator, samples: int) -> bytes:
    """Run an emulator on a :class:`MemoryLink` for ``samples`` samples, without real time;
    the last two samples are fault-free so the stream ends on an intact group."""
    link = emulator.link
    assert isinstance(link, MemoryLink)
    for i in range(samples + 2):
        if i == samples:
            emulator.faults = Faults()
        emulator._write_sample(i)
        emulator.samples_written += 1
    return bytes(link.data)


@dataclass
class Faults:
    """Fault injection: after each intact frame, with ``probability``, one fault of ``kinds``."""

    probability: float = 0.0
    kinds: tuple[str, ...] = ("garbage", "corrupt", "truncate")
    max_garbage: int = 24
    gap_frames: int = 2


@dataclass
class Sent:
    """One thing the emulator put on the wire (or meant to)."""

    kind: str  # "frame", "garbage", "corrupt", "truncate", "drop", "noise", "unplugged"
    sample: int
    data: bytes
    truth: object = None
    delivered: int = 0


@dataclass
class Ledger:
    """Everything sent, and the injected faults as a decoder should count them."""

    sent: list[Sent] = field(default_factory=list)

    def of(self, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind]

    @property
    def intact(self) -> list[Sent]:
        return [s for s in self.sent if s.kind == "frame" and s.delivered == len(s.data)]

    @property
    def injected_runs(self) -> int:
        return sum(1 for s in self.sent if s.kind in {"garbage", "corrupt", "truncate"})

    @property
    def injected_bytes(self) -> int:
        return sum(s.delivered for s in self.sent if s.kind in {"garbage", "corrupt", "truncate"})


class Emulator:
    """Writes a device model's bytes into a :class:`PtyLink` at the device's real rate."""

    def __init__(
        self,
        link: PtyLink | MemoryLink,
        model: DeviceModel,
        *,
        faults: Faults | None = None,
        seed: int = 0,
        device_baud: int | None = None,
    ) -> None:
        self.link = link
        self.model = model
        self.faults = faults or Faults()
        self.device_baud = device_baud
        self.ledger = Ledger()
        self.samples_written = 0
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._thread = threading.Thread(target=self._run, name="emulator", daemon=True)
        self._since_fault = self.faults.gap_frames
        self._garbage_alphabet = bytes(b for b in range(256) if b not in model.sync)
        self._high_alphabet = bytes(b for b in range(0x80, 0x100) if b not in model.sync)

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._running.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.link.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- controls used by tests --------------------------------------------------------------

    def pause(self) -> None:
        """Stop sending between samples (the device goes quiet)."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop_mid_frame(self) -> None:
        """Send half of the next frame, then go quiet (a device that hangs mid-stream)."""
        with self.link.lock:
            frame, _ = self.model.frames(self.samples_written)[0]
            half = frame[: max(1, len(frame) // 2)]
            self._log("truncate", half)
            self._running.clear()

    def unplug(self) -> None:
        """The port vanishes (the device keeps sampling; those samples go nowhere)."""
        with self.link.lock:
            self.link.vanish()

    def replug(self) -> None:
        with self.link.lock:
            self.link.appear()

    # -- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        period = 1.0 / self.model.rate_hz
        next_t = time.monotonic()
        while not self._stop.is_set():
            if not self._running.is_set():
                self._running.wait(0.1)
                next_t = time.monotonic()
                continue
            delay = next_t - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            next_t = max(next_t + period, time.monotonic() - 10 * period)
            with self.link.lock:
                if not self._running.is_set():
                    continue
                self._write_sample(self.samples_written)
            self.samples_written += 1

    def _write_sample(self, i: int) -> None:
        baud = self.link.slave_baud()
        for frame, truth in self.model.frames(i):
            if not self.link.present:
                self.ledger.sent.append(Sent("unplugged", i, frame, truth))
                continue
            if self.device_baud is not None and baud != self.device_baud:
                noise = bytes(self._rng.choice(self._high_alphabet) for _ in frame)
                self._log("noise", noise, i)
                continue
            self._frame_with_faults(i, frame, truth)

    def _frame_with_faults(self, i: int, frame: bytes, truth: object) -> None:
        f = self.faults
        fault = None
        if self._since_fault >= f.gap_frames and self._rng.random() < f.probability:
            fault = self._rng.choice(f.kinds)
        if fault == "corrupt":
            self._log("corrupt", self.model.corrupt(frame, self._rng), i, truth)
        elif fault == "truncate":
            self._log("truncate", self.model.truncate(frame, self._rng), i, truth)
        elif fault == "drop":
            self.ledger.sent.append(Sent("drop", i, frame, truth))
        else:
            self._log("frame", frame, i, truth)
        if fault == "garbage":
            size = self._rng.randint(1, f.max_garbage)
            alphabet = self._garbage_alphabet
            self._log("garbage", bytes(self._rng.choice(alphabet) for _ in range(size)), i)
        self._since_fault = 0 if fault else self._since_fault + 1

    def _log(self, kind: str, data: bytes, i: int | None = None, truth: object = None) -> None:
        sample = self.samples_written if i is None else i
        self.ledger.sent.append(Sent(kind, sample, data, truth, self.link.write(data)))


#: ``emulate(model, faults=..., name=..., seed=..., device_baud=...)``: the test fixture.
EmulatorFactory = Callable[..., Emulator]


def wait_until(predicate: object, timeout_s: float, what: str) -> None:
    """Poll ``predicate()`` every 10 ms until true; fail the test after ``timeout_s``."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)
