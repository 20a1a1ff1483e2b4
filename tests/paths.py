"""Where things are, for tests: the repo root, the third-party recordings, a subprocess's env."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The checkout's root (the folder holding ``tests`` and ``src``).
ROOT = Path(__file__).resolve().parents[1]
#: Third-party recordings, read in place from ../shared (never copied into the project); the
#: tests that use them are marked ``shared_data`` and skip when the folder is not there.
THIRDPARTY_DATA = ROOT.parent / "shared" / "thirdparty-data"


def python_env() -> dict[str, str]:
    """This process's environment with the repo root first on ``PYTHONPATH``, so a subprocess
    can run a test helper as ``python -m tests.<folder>.<module>`` from any working dir."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


#: The installed console script next to this interpreter (tests run it as a user does).
ISOFORCE = str(Path(sys.executable).with_name("isoforce"))
