"""The live force–time chart (player and free mode): a :class:`ChartView` fed a step's curve.

The screens hand it the :class:`~isoforce.tui.view.Curve` of each snapshot; what it shows —
newtons on the left, % of the named reference on the right, the target with its band, the
previous trial of the same kind under the current one — is decided by
:func:`isoforce.tui.charts.force_chart`. It redraws at most :data:`LIVE_CHART_HZ` times a
second; the big number and the gauge follow every frame.
"""

from __future__ import annotations

from isoforce.tui.charts import force_chart
from isoforce.tui.view import Curve
from isoforce.tui.widgets.chart import ChartData, ChartView

#: Redraws a second of the live chart. One column of its braille cells spans 0.1–0.4 s of a
#: step at 80–200 columns, so 5 redraws a second still move it by about a column each time;
#: a redraw lays out and rasterises the chart (about 1–1.5 ms of CPU at 120×40), and Textual
#: repaints only the rows it changed.
LIVE_CHART_HZ = 5.0


class CurvePlot(ChartView):
    """The live chart of the current step (or of the last 20 s in free mode)."""

    DEFAULT_CSS = """
    CurvePlot { height: 1fr; min-height: 4; width: 100%; }
    """

    _curve: Curve = Curve()
    _built: ChartData | None = None

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(max_hz=LIVE_CHART_HZ, name=name, id=id, classes=classes)

    @property
    def curve(self) -> Curve:
        """The curve last given."""
        return self._curve

    @curve.setter
    def curve(self, curve: Curve) -> None:
        # built when drawn (≤ LIVE_CHART_HZ), not each time a screen hands a snapshot over
        self._curve, self._built = curve, None
        self.request_redraw()

    @property
    def data(self) -> ChartData:
        """What the chart shows: built from the latest curve when it is drawn."""
        if self._built is None:
            self._built = force_chart(self._curve)
        return self._built
