"""In CI a missing firmware tool fails the firmware tests; elsewhere it skips them.

CI runs ``scripts/test`` on a fresh machine, which installs the AVR toolchain and simavr: were
the tests to skip there, CI would pass without having run the firmware (issue 19).
"""

from __future__ import annotations

import pytest

from tests.firmware.firmware_build import in_ci, require_tools


@pytest.mark.parametrize("value", ["true", "1", "yes", "True"])
def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI is set but simavr-run needs simavr"):
        require_tools(["simavr"], "simavr-run")


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_a_missing_tool_skips_outside_ci(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception, match="needs avr-gcc"):
        require_tools(["avr-gcc"], "the build")


def test_nothing_missing_runs_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require_tools([], "the build")
