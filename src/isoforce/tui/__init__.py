"""The Textual terminal UI: device picker, drill player, free mode, summaries (an edge: I/O only)."""
