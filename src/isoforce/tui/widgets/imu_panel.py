"""The IMU panel: angle, "MOVING" when a hold stops being isometric, and the effort band.

It draws an :class:`~isoforce.signal.imu.ImuView` handed down by its screen and nothing else.
State is carried by text as well as colour (colour-blind safe, readable from 2 m): ``STILL`` /
``MOVING``, and the effort *estimate* only ever as a band with the word "estimate".
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from isoforce.signal.imu import ImuView


def imu_panel_text(
    view: ImuView | None, *, still_asked: bool = True, lift_offs_asked: bool = True
) -> Text:
    """Two lines: angle and motion state, then the effort estimate band or why there is none.

    ``still_asked``: the step asks the leg to stay still (isometric or relaxed). Where it moves
    the leg (rotations, lift-offs) moving is the point: no STILL / MOVING and no "hold still".
    ``lift_offs_asked``: the step counts lift-offs; elsewhere a lift-off hold is not shown.
    """
    if view is None:
        return Text("IMU: waiting for samples", style="dim")
    out = Text()
    if view.angle_deg is None:
        out.append(view.zero_hint, style="bold yellow")
    else:
        out.append(f"angle {view.angle_deg:+5.1f}°", style="bold")
        if view.ir_max_deg is not None and view.er_max_deg is not None:
            out.append(f"   IR {view.ir_max_deg:.0f}° / ER {view.er_max_deg:.0f}°", style="dim")
    if not still_asked:
        pass
    elif view.moving:
        out.append("    MOVING ", style="bold white on red")
    else:
        out.append("    STILL ", style="bold black on green")
    if view.lift_phase == "hold" and lift_offs_asked:
        out.append(f"   lift-off hold {view.hold_s:.1f} s", style="bold")
    out.append("\n")
    effort = view.effort
    if effort.available and effort.level is not None:
        out.append(f"activity {effort.level.value}", style="bold")
        out.append(f"  est. {effort.low_pct:.0f}–{effort.high_pct:.0f} %", style="bold cyan")
        out.append("  (IMU estimate, not measured)", style="dim")
    elif still_asked:
        out.append(effort.reason, style="dim")
    else:
        out.append("no effort estimate while the leg moves (this step moves it)", style="dim")
    if view.dual is not None and view.dual.n:
        out.append(
            f"\nestimate vs load cell: ±{view.dual.rmse_pct:.0f} % RMS this session", style="dim"
        )
    return out


class ImuPanel(Static):
    """Shows an :class:`ImuView`; call :meth:`show` with each new view (or None)."""

    DEFAULT_CSS = """
    ImuPanel { height: auto; width: 100%; padding: 0 1; }
    """

    def show(
        self, view: ImuView | None, *, still_asked: bool = True, lift_offs_asked: bool = True
    ) -> None:
        """Redraw from ``view``; hidden when the session has no IMU (``None``)."""
        if self.display != (view is not None):
            self.display = view is not None
        if view is not None:
            self.update(
                imu_panel_text(view, still_asked=still_asked, lift_offs_asked=lift_offs_asked)
            )
