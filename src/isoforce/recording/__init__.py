"""Recording live sessions into the store: the writer (a session consumer) and its lifecycle.

The CLI and the TUI both record through :class:`~isoforce.recording.lifecycle.Recording`.
"""

from isoforce.recording.lifecycle import Recording, stored_drill
from isoforce.recording.store_writer import StoreWriter, session_meta

__all__ = ["Recording", "StoreWriter", "session_meta", "stored_drill"]
