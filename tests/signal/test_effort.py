import numpy as np
import pytest

from isoforce.core.effort_key import Capabilities, Direction
from isoforce.signal.effort import EffortModel, EffortReference, NotMeasured

BOTH = Capabilities(push=True, pull=True)
PUSH_ONLY = Capabilities(push=True, pull=False)
REF = EffortReference(push_max_n=200.0, pull_max_n=100.0)


def test_signed_effort_uses_each_directions_own_max() -> None:
    m = EffortModel(reference=REF, capabilities=BOTH)
    r = m.compute(force_n=np.array([100.0, -50.0, 0.0]), direction=None)
    np.testing.assert_allclose(r.effort_pct, [50.0, -50.0, 0.0])
    assert r.measured


def test_directed_effort() -> None:
    m = EffortModel(reference=REF, capabilities=BOTH)
    np.testing.assert_allclose(
        m.compute(force_n=np.array([-80.0]), direction=Direction.PULL).effort_pct, [-80.0]
    )
    np.testing.assert_allclose(
        m.compute(force_n=np.array([150.0]), direction=Direction.PUSH).effort_pct, [75.0]
    )


def test_compression_only_cell_says_not_measured_during_rails_instead_of_zero() -> None:
    m = EffortModel(reference=REF, capabilities=PUSH_ONLY)
    r = m.compute(force_n=np.array([0.3, -0.1]), direction=Direction.PULL)
    assert not r.measured
    assert np.isnan(r.effort_pct).all()
    assert r.missing is NotMeasured.SENSOR_CANNOT_SEE
    assert r.message() == "not force-measured: this sensor cannot measure pull"


def test_missing_max_is_not_measured() -> None:
    m = EffortModel(reference=EffortReference(push_max_n=200.0), capabilities=BOTH)
    r = m.compute(force_n=np.array([-10.0]), direction=Direction.PULL)
    assert r.missing is NotMeasured.NO_REFERENCE and "no pull max" in r.message()
    r2 = EffortModel(reference=EffortReference(), capabilities=BOTH).compute(
        force_n=np.array([1.0]), direction=None
    )
    assert r2.missing is NotMeasured.NO_REFERENCE


def test_reference_must_be_positive() -> None:
    with pytest.raises(ValueError, match="push max"):
        EffortReference(push_max_n=-3)
