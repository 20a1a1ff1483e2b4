"""Drills: training protocols as editable TOML files, a pure engine that runs them, and scoring."""
