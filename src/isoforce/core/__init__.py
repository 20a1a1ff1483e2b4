"""Core data types shared by every layer: sample blocks, clocks, ring buffers, effort keys."""
