"""Signal processing: calibration, filters, effort, metrics, detection (pure, no I/O)."""
