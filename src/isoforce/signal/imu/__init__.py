"""The IMU on the thigh or shank: rotation angle, stillness, lift-offs and an effort estimate.

Pure and streaming: every stage is an object with a frozen settings dataclass and an
``update()`` that takes consecutive chunks (any chunking gives the same output). Sensor axes
follow :mod:`isoforce.simulation.imu`: x along the femur (internal rotation positive about
+x). :class:`ImuProcessor` runs the whole chain; :class:`ImuView` is what a screen shows.
See ``docs/imu.md`` for placement, the zero pose and what the effort estimate means.
"""

from isoforce.signal.imu.angle import (
    PLACEMENT_GUIDANCE,
    AngleBlock,
    AngleSource,
    LimbAngleSettings,
    LimbAngleTracker,
    Placement,
)
from isoforce.signal.imu.liftoff import (
    LiftOff,
    LiftOffDetector,
    LiftOffSettings,
    LiftPhase,
    time_lift_off,
)
from isoforce.signal.imu.mmg import (
    MIN_FS_HZ,
    ActivityLevel,
    EffortEstimate,
    MmgBlock,
    MmgCalibration,
    MmgEstimator,
    MmgMeter,
    MmgSettings,
    Refusal,
)
from isoforce.signal.imu.orientation import (
    FusionSettings,
    OrientationFilter,
    quaternion_from_gravity,
    roll_pitch_deg,
    twist_angle_deg,
)
from isoforce.signal.imu.processor import (
    ACC_CHANNELS,
    GYRO_CHANNELS,
    ImuBlock,
    ImuProcessor,
    ImuProcessorSettings,
    ImuView,
    has_imu,
    imu_arrays,
)
from isoforce.signal.imu.report import (
    DualModeAccumulator,
    DualModeReport,
    calibration_rms_g,
)
from isoforce.signal.imu.stillness import (
    StillnessDetector,
    StillnessSettings,
    runs,
    sample_f1,
    segment_f1,
)

__all__ = [
    "ACC_CHANNELS",
    "GYRO_CHANNELS",
    "MIN_FS_HZ",
    "PLACEMENT_GUIDANCE",
    "ActivityLevel",
    "AngleBlock",
    "AngleSource",
    "DualModeAccumulator",
    "DualModeReport",
    "EffortEstimate",
    "FusionSettings",
    "ImuBlock",
    "ImuProcessor",
    "ImuProcessorSettings",
    "ImuView",
    "LiftOff",
    "LiftOffDetector",
    "LiftOffSettings",
    "LiftPhase",
    "LimbAngleSettings",
    "LimbAngleTracker",
    "MmgBlock",
    "MmgCalibration",
    "MmgEstimator",
    "MmgMeter",
    "MmgSettings",
    "OrientationFilter",
    "Placement",
    "Refusal",
    "StillnessDetector",
    "StillnessSettings",
    "calibration_rms_g",
    "has_imu",
    "imu_arrays",
    "quaternion_from_gravity",
    "roll_pitch_deg",
    "runs",
    "sample_f1",
    "segment_f1",
    "time_lift_off",
    "twist_angle_deg",
]
