"""Widgets of the isoforce TUI; each draws plain data handed down by its screen."""
