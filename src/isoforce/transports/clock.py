"""Old name of :mod:`isoforce.transports.pacing`, kept until the runner imports from there."""

from isoforce.transports.pacing import Clock

__all__ = ["Clock"]
