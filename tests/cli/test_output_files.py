"""Output files done right (issue 20, deliver 4), through the one helper ``cli.output``.

Regular files are replaced atomically; FIFOs and devices are streamed into and never replaced;
symlinks are written through; unknown extensions are refused; a full disk (an injected ENOSPC:
the tests need no root and no tmpfs) is one clear error, with nothing partial under the name.
Tests use a temporary FIFO and symlinks, never a real device node.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from isoforce.cli import main
from isoforce.cli import output as output_module
from isoforce.session.store import SessionStore


def isoforce(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``isoforce args`` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    res = capsys.readouterr()
    assert "Traceback" not in res.err
    return code, res.out, res.err


def record(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str]:
    code, _, err = isoforce(
        capsys, "record", "--duration", "2", "--speed", "max", "--data-dir", str(data), *args
    )
    return code, err


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "rows"
    os.mkfifo(path)
    yield path
    with contextlib.suppress(OSError):  # let a reader still waiting for a writer finish
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


class Reader(threading.Thread):
    """Reads a FIFO to its end in the background, as a consumer on the other side would."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.data = b""

    def run(self) -> None:
        with self.path.open("rb") as f:
            self.data = f.read()


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every output write fails with ENOSPC once 4 kB have been written (the disk filled)."""
    written = 0
    real = output_module._write_bytes

    def write(fd: int, data: bytes | memoryview) -> int:
        nonlocal written
        if written + len(data) > 4096:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written += len(data)
        return real(fd, data)

    monkeypatch.setattr(output_module, "_write_bytes", write)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_finding_record_out_into_a_fifo_delivers_every_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fifo: Path
) -> None:
    reader = Reader(fifo)
    reader.start()
    code, err = record(capsys, tmp_path / "data", "--out", str(fifo))
    reader.join(timeout=60)
    assert code == 0, err
    assert "recorded 160 samples" in err
    assert len(csv_rows(reader.data.decode())) == 160
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not replaced by a file


def test_finding_export_into_a_fifo_streams_and_creates_nothing_beside_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fifo: Path
) -> None:
    data = tmp_path / "data"
    assert record(capsys, data)[0] == 0
    reader = Reader(fifo)
    reader.start()
    code, _, err = isoforce(capsys, "export", "1", "--out", str(fifo), "--data-dir", str(data))
    reader.join(timeout=60)
    assert code == 0, err
    assert len(csv_rows(reader.data.decode())) == 160
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", fifo.name]  # no sidecar


@pytest.mark.parametrize("command", ["record", "export"])
def test_finding_a_symlink_is_written_through_to_its_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    data = tmp_path / "data"
    target = tmp_path / "real" / "session.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    if command == "record":
        code, err = record(capsys, data, "--out", str(link))
    else:
        assert record(capsys, data)[0] == 0
        code, _, err = isoforce(capsys, "export", "1", "--out", str(link), "--data-dir", str(data))
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target
    assert len(csv_rows(target.read_text())) == 160
    assert leftovers(target.parent) == [] and leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["record", "export", "drill"])
def test_finding_out_xyz_is_refused_with_the_formats_that_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    data = tmp_path / "data"
    out = str(tmp_path / "x.xyz")
    if command == "export":
        assert record(capsys, data)[0] == 0
        code, _, err = isoforce(capsys, "export", "1", "--out", out, "--data-dir", str(data))
        formats = ".csv, .json or .png"
    elif command == "drill":
        args = ("drill", "--data-dir", str(data), "run", "tension-drill", "--out", out)
        code, _, err = isoforce(capsys, *args, "--speed", "max")
        formats = ".csv"
    else:
        code, err = record(capsys, data, "--out", out)
        formats = ".csv or .json"
    assert code == 2
    assert f"isoforce does not write .xyz files; use {formats}" in err
    assert not (tmp_path / "x.xyz").exists()
    code, err = record(capsys, data, "--out", out, "--format", "csv", "--no-save")
    assert code == 0 and (tmp_path / "x.xyz").exists()  # --format says what it is


def test_finding_disk_full_on_record_out_keeps_the_session_and_no_partial_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, disk_full: None
) -> None:
    data = tmp_path / "data"
    out = tmp_path / "rec.csv"
    out.write_text("an earlier file\n")
    code, err = record(capsys, data, "--out", str(out))
    assert code == 1
    errors = [line for line in err.splitlines() if "error" in line]
    assert errors == [
        f"isoforce: error: writing {out} failed: No space left on device; nothing was "
        f"written to {out} (any earlier file there is unchanged)"
    ]
    assert "recorded 160 samples" in err and "to the session store" in err
    assert "saved as session 1" in err
    assert out.read_text() == "an earlier file\n"  # byte-identical
    assert leftovers(tmp_path) == []
    with SessionStore.open(data_dir=data) as store:
        assert store.load(1).samples == 160  # the store got every sample


def test_finding_disk_full_on_export_says_what_was_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for _ in range(2):
        assert record(capsys, data)[0] == 0
    first = tmp_path / "out" / "session-1.csv"
    first.parent.mkdir()
    code, _, err = isoforce(capsys, "export", "1", "--out", str(first), "--data-dir", str(data))
    assert code == 0
    before = first.read_bytes()
    real = output_module._write_bytes
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell the files apart")

    def write(fd: int, chunk: bytes | memoryview) -> int:  # session 2's CSV hits a full disk
        if "session-2" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, chunk)

    monkeypatch.setattr(output_module, "_write_bytes", write)
    code, _, err = isoforce(
        capsys, "export", "all", "--out", str(first.parent), "--data-dir", str(data)
    )
    assert code == 1
    lines = err.splitlines()
    assert (
        lines[-1].startswith("isoforce: error: writing ") and "No space left on device" in lines[-1]
    )
    assert "written before it: session-1.csv, session-1.meta.json" in lines[-1]
    assert first.read_bytes() == before
    assert not (first.parent / "session-2.csv").exists()
    assert leftovers(first.parent) == []


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("old\n")

    def broken_writer() -> None:
        with output_module.open_output(str(path)) as out:
            out.text.write("half")
            raise RuntimeError("writer broke")

    with pytest.raises(RuntimeError):
        broken_writer()
    assert path.read_text() == "old\n" and leftovers(tmp_path) == []
    with output_module.open_output(str(path)) as out:
        out.text.write("new\n")
    assert path.read_text() == "new\n" and leftovers(tmp_path) == []


def test_a_folder_is_not_an_output(tmp_path: Path) -> None:
    with (
        pytest.raises(output_module.OutputError, match="it is a folder"),
        output_module.open_output(str(tmp_path)),
    ):
        pass


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_exports_follow_the_users_umask(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, umask: int
) -> None:
    """Issue 20, deliver 6: the store is private, but a file the user asks for is theirs to share:
    ``export`` and ``record --out`` create it as any program does, 0666 less the umask (a file
    written before is replaced by one with the umask's mode, not the old one's)."""
    data = tmp_path / "data"
    out = tmp_path / "out"
    out.mkdir()
    (out / "session-1.csv").write_text("an older export\n")
    (out / "session-1.csv").chmod(0o600)
    old = os.umask(umask)
    try:
        assert record(capsys, data, "--out", str(out / "live.csv"))[0] == 0
        code, _, err = isoforce(capsys, "export", "1", "--out", str(out), "--data-dir", str(data))
        assert code == 0, err
        code, _, err = isoforce(
            capsys, "export", "1", "--format", "json", "--out", str(out), "--data-dir", str(data)
        )
        assert code == 0, err
    finally:
        os.umask(old)
    written = sorted(p.name for p in out.iterdir())
    assert written == ["live.csv", "session-1.csv", "session-1.json", "session-1.meta.json"]
    for name in written:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o666 & ~umask, name
    assert stat.S_IMODE(data.stat().st_mode) == 0o700  # the store stays private either way
