"""A throw-away D-Bus daemon for the BLE tests, and a stand-in ``bluetoothctl``.

bleak's BlueZ backend talks to ``org.bluez`` on the *system* bus, and dbus-fast finds that bus
through ``DBUS_SYSTEM_BUS_ADDRESS`` each time a connection is made. :class:`PrivateBus` starts a
``dbus-daemon`` (Debian package ``dbus-daemon``) with its own configuration in a temporary
directory: a Unix socket there, EXTERNAL authentication, and a policy that lets anyone own any
name (our fake bluetoothd owns ``org.bluez``). No root, systemd, BlueZ or radio is needed.

``deny_bluez=True`` adds the policy line a locked-down system has: nobody may call
``org.bluez``; callers get ``org.freedesktop.DBus.Error.AccessDenied`` from the daemon itself.

The daemon is told to die with its parent (``PR_SET_PDEATHSIG``), so a killed test run leaves
nothing behind; :meth:`PrivateBus.stop` terminates it and removes the directory.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

_POLICY_OPEN = """
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>"""
_POLICY_DENY_BLUEZ = """
  <policy context="mandatory">
    <deny send_destination="org.bluez"/>
  </policy>"""

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>{policies}
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">100000000</limit>
  <limit name="max_replies_per_connection">50000</limit>
  <limit name="reply_timeout">300000</limit>
</busconfig>
"""

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: have the kernel send SIGTERM when the parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def dbus_daemon_path() -> str | None:
    """Where ``dbus-daemon`` is (PATH, then the Debian location)."""
    found = shutil.which("dbus-daemon")
    if found is None and Path("/usr/bin/dbus-daemon").exists():
        found = "/usr/bin/dbus-daemon"
    return found


class PrivateBus:
    """A private dbus-daemon subprocess; ``address`` is set while it runs."""

    def __init__(self, *, deny_bluez: bool = False) -> None:
        self.deny_bluez = deny_bluez
        self.address: str | None = None
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 10.0) -> str:
        """Start the daemon and return its address (``unix:path=…,guid=…``)."""
        exe = dbus_daemon_path()
        if exe is None:
            raise RuntimeError("dbus-daemon is not installed (Debian: apt-get install dbus-daemon)")
        self._dir = Path(tempfile.mkdtemp(prefix="isoforce-bus-"))
        policies = _POLICY_OPEN + (_POLICY_DENY_BLUEZ if self.deny_bluez else "")
        config = self._dir / "bus.conf"
        config.write_text(_CONFIG.format(socket=self._dir / "socket", policies=policies))
        with (self._dir / "daemon.log").open("wb") as log:
            self._proc = subprocess.Popen(
                [exe, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,  # "Failed to set fd limit" in containers: harmless, kept out of sight
                preexec_fn=_die_with_parent,
            )
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout_s)
        line = self._proc.stdout.readline().decode().strip() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError(f"dbus-daemon did not start within {timeout_s} s")
        self.address = line
        return line

    def stop(self) -> None:
        """Terminate the daemon (kill it if it lingers) and remove its directory."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self.address = None

    def __enter__(self) -> PrivateBus:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def fake_bluetoothctl(directory: Path, version: str = "5.72") -> Path:
    """Write a ``bluetoothctl`` that only answers ``--version`` (bleak checks BlueZ ≥ 5.55)."""
    script = directory / "bluetoothctl"
    script.write_text(f"#!/bin/sh\necho 'bluetoothctl: {version}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


def bus_environment(address: str, bin_dir: Path) -> dict[str, str]:
    """Environment for a subprocess that should find the private bus and the stand-in tool."""
    env = dict(os.environ)
    env["DBUS_SYSTEM_BUS_ADDRESS"] = address
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env
