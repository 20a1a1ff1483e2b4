"""Transports: the only place bytes come from (BLE, serial, simulator, replay)."""
