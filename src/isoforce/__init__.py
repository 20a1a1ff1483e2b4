"""isoforce: measured isometric training.

Reads a load cell or an IMU, turns readings into live effort percentages of the user's own
maximum, guides PAILs/RAILs ramps and holds, and exports force curves.
"""

__version__ = "0.1.0"
