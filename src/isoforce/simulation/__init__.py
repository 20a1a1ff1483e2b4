"""Pure simulation models: a virtual athlete on a load cell and a virtual IMU on the leg.

Arrays in, arrays out, with explicit state carried between ``step()`` calls; no clock and no
I/O. Output is deterministic for a seed and does not depend on how the input is chunked.
Transports wrap these models to pace them in real time and encode them as device frames.
"""

from isoforce.simulation.athlete import AthleteOutput, AthleteSettings, VirtualAthlete
from isoforce.simulation.imu import ImuOutput, ImuSettings, VirtualImu, saturating_mmg_rms_g
from isoforce.simulation.profiles import (
    DEMO_PERIOD_S,
    MotionScript,
    cars_sequence,
    demo_effort_profile,
    lift_off_sequence,
)

__all__ = [
    "DEMO_PERIOD_S",
    "AthleteOutput",
    "AthleteSettings",
    "ImuOutput",
    "ImuSettings",
    "MotionScript",
    "VirtualAthlete",
    "VirtualImu",
    "cars_sequence",
    "demo_effort_profile",
    "lift_off_sequence",
    "saturating_mmg_rms_g",
]
