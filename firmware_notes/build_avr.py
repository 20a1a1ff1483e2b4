#!/usr/bin/env python3
"""Compile the Uno/Nano sketch with Debian's AVR toolchain and Arduino core (no IDE needed).

    python3 firmware_notes/build_avr.py --board uno --out /tmp/isoforce-avr

Needs the Debian packages gcc-avr, binutils-avr, avr-libc and arduino-core-avr. Debian's
gcc-avr is 5.4, older than the Arduino core expects: C++ is built with -std=gnu++11 and
-DDECIMAL_DIG=17 (the core's headers use DECIMAL_DIG, which that toolchain's <float.h> lacks
in C++11 mode). Prints the flash and RAM use and writes sketch.elf and sketch.hex.
Exit status 0 when the image fits the board.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORE_ROOT = Path(os.environ.get("ARDUINO_AVR_CORE", "/usr/share/arduino/hardware/arduino/avr"))
SKETCH = HERE / "isoforce_avr" / "isoforce_avr.ino"
LIBRARY = HERE / "libraries" / "isoforce" / "src"
TOOLS = ("avr-gcc", "avr-g++", "avr-objcopy", "avr-size")

#: From the core's boards.txt (uno.* and nano.menu.cpu.atmega328.*).
BOARDS = {
    "uno": {"define": "ARDUINO_AVR_UNO", "flash": 32256, "ram": 2048},
    "nano": {"define": "ARDUINO_AVR_NANO", "flash": 30720, "ram": 2048},
}
MCU = "atmega328p"
F_CPU = "16000000L"
ARDUINO_VERSION = "10807"


def missing_tools() -> list[str]:
    """Tools or core files that are not installed (empty when a build can run)."""
    gone = [t for t in TOOLS if shutil.which(t) is None]
    if not (CORE_ROOT / "cores" / "arduino" / "Arduino.h").exists():
        gone.append(str(CORE_ROOT / "cores" / "arduino"))
    return gone


def sources() -> list[Path]:
    """Everything that goes into the image: core, Wire library, isoforce library, sketch."""
    core = CORE_ROOT / "cores" / "arduino"
    wire = CORE_ROOT / "libraries" / "Wire" / "src"
    found = sorted(core.glob("*.c")) + sorted(core.glob("*.cpp")) + sorted(core.glob("*.S"))
    found += [wire / "Wire.cpp", wire / "utility" / "twi.c"]
    found += sorted(LIBRARY.glob("*.c"))
    return found


def build(
    board: str, out: Path, defines: Sequence[str] = (), sketch: Path = SKETCH
) -> tuple[int, int]:
    """Compile and link; returns (flash bytes, RAM bytes). Raises CalledProcessError on errors.

    ``defines``: extra ``NAME`` or ``NAME=VALUE`` preprocessor definitions for every file (the
    firmware-in-the-loop test builds a deliberately broken encoder with ``ISF_FAULT_CRC_EVERY``).
    ``sketch``: another sketch on the same core and library (``hx711_text/hx711_text.ino``).
    """
    spec = BOARDS[board]
    out.mkdir(parents=True, exist_ok=True)
    common = [
        f"-mmcu={MCU}",
        f"-DF_CPU={F_CPU}",
        f"-DARDUINO={ARDUINO_VERSION}",
        f"-D{spec['define']}",
        "-DARDUINO_ARCH_AVR",
        "-Os",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wall",
        f"-I{CORE_ROOT / 'cores' / 'arduino'}",
        f"-I{CORE_ROOT / 'variants' / 'standard'}",
        f"-I{CORE_ROOT / 'libraries' / 'Wire' / 'src'}",
        f"-I{LIBRARY}",
        *(f"-D{d}" for d in defines),
    ]
    c_flags = ["avr-gcc", "-std=gnu11", *common]
    cxx_flags = [
        "avr-g++",
        "-std=gnu++11",
        "-DDECIMAL_DIG=17",
        "-fno-exceptions",
        "-fno-threadsafe-statics",
        *common,
    ]
    sketch_cpp = out / "isoforce_avr.ino.cpp"
    sketch_cpp.write_text(f'#line 1 "{sketch}"\n' + sketch.read_text(encoding="utf-8"))
    jobs = []
    for i, src in enumerate([*sources(), sketch_cpp]):
        obj = out / f"{i:02d}-{src.name}.o"
        if src.suffix == ".c":
            cmd = [*c_flags, "-c", str(src), "-o", str(obj)]
        elif src.suffix == ".S":
            cmd = [*c_flags, "-x", "assembler-with-cpp", "-c", str(src), "-o", str(obj)]
        else:
            werror = ["-Wextra", "-Werror"] if src == sketch_cpp else []
            cmd = [*cxx_flags, *werror, "-c", str(src), "-o", str(obj)]
        jobs.append((cmd, obj))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for result in pool.map(lambda job: subprocess.run(job[0], capture_output=True, text=True), jobs):
            if result.returncode != 0:
                raise subprocess.CalledProcessError(
                    result.returncode, result.args, result.stdout, result.stderr
                )
    elf = out / "sketch.elf"
    link = ["avr-gcc", f"-mmcu={MCU}", "-Os", "-Wl,--gc-sections", "-o", str(elf)]
    subprocess.run([*link, *(str(o) for _, o in jobs), "-lm"], check=True, capture_output=True, text=True)
    subprocess.run(
        ["avr-objcopy", "-O", "ihex", "-R", ".eeprom", str(elf), str(out / "sketch.hex")],
        check=True,
    )
    sizes = subprocess.run(["avr-size", "-A", str(elf)], check=True, capture_output=True, text=True)
    section = {m[1]: int(m[2]) for m in re.finditer(r"^(\.\w+)\s+(\d+)", sizes.stdout, re.M)}
    flash = section.get(".text", 0) + section.get(".data", 0)
    ram = section.get(".data", 0) + section.get(".bss", 0)
    return flash, ram


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", choices=sorted(BOARDS), default="uno")
    parser.add_argument("--out", type=Path, default=Path("build-avr"))
    parser.add_argument(
        "-D",
        "--define",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="extra preprocessor definition (repeatable), e.g. ISF_FAULT_CRC_EVERY=50 for a test",
    )
    parser.add_argument(
        "--sketch", type=Path, default=SKETCH, help="the sketch (default: isoforce_avr.ino)"
    )
    args = parser.parse_args()
    gone = missing_tools()
    if gone:
        print(f"missing: {', '.join(gone)} (apt install gcc-avr binutils-avr avr-libc arduino-core-avr)")
        return 2
    try:
        flash, ram = build(args.board, args.out, args.define, args.sketch)
    except subprocess.CalledProcessError as exc:
        print(exc.stderr or exc.stdout, file=sys.stderr)
        return 1
    spec = BOARDS[args.board]
    print(f"{args.board}: flash {flash} / {spec['flash']} bytes, RAM {ram} / {spec['ram']} bytes")
    print(f"image: {args.out / 'sketch.hex'}")
    return 0 if flash <= spec["flash"] and ram <= spec["ram"] else 3


if __name__ == "__main__":
    raise SystemExit(main())
