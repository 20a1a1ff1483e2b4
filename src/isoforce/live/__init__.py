"""The live layer: one owner per running session, one immutable frame per incoming block.

Read top to bottom: :mod:`~isoforce.live.build` wires a :class:`LiveSession` (transport from the
registry, decoder, pipeline, IMU chain, drill guide); :mod:`~isoforce.live.session` runs it and
hands each consumer a :class:`~isoforce.live.frame.LiveFrame` per block and a
:class:`~isoforce.live.frame.SessionOutcome` at the end.

The names below are imported on first use (:mod:`isoforce.core.lazy`): the TUI's first frame
needs the frame types, not the session that runs later.
"""

from typing import TYPE_CHECKING

from isoforce.core.lazy import lazy_exports

if TYPE_CHECKING:
    from isoforce.live.frame import (
        DrillCommand,
        DrillState,
        Gap,
        LinkChange,
        LinkEvent,
        LinkSource,
        LinkState,
        LiveFrame,
        SessionHeader,
        SessionOutcome,
    )
    from isoforce.live.options import PROVISIONAL_MVIC_N, SessionOptions
    from isoforce.live.session import (
        Consumer,
        FrameConsumer,
        LiveSession,
        ReconnectPolicy,
        StopReason,
    )

__all__ = [
    "PROVISIONAL_MVIC_N",
    "Consumer",
    "DrillCommand",
    "DrillState",
    "FrameConsumer",
    "Gap",
    "LinkChange",
    "LinkEvent",
    "LinkSource",
    "LinkState",
    "LiveFrame",
    "LiveSession",
    "ReconnectPolicy",
    "SessionHeader",
    "SessionOptions",
    "SessionOutcome",
    "StopReason",
]

__getattr__ = lazy_exports(
    __name__, __all__, ("isoforce.live.frame", "isoforce.live.options", "isoforce.live.session")
)
