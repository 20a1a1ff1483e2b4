import numpy as np
import pytest

from isoforce.core.effort_key import Capabilities, Direction, MovementKey, Side
from isoforce.core.samples import SampleBlock


def _block(n: int, start: float = 0.0) -> SampleBlock:
    t = start + np.arange(n) / 10
    return SampleBlock(
        t_s=t, t_host_s=t + 100, values=np.column_stack([t * 2, t * 3]), channels=("a", "b")
    )


def test_columns_and_concat() -> None:
    b = SampleBlock.concat([_block(3), _block(2, 0.3)])
    assert len(b) == 5
    np.testing.assert_allclose(b.column("b"), np.arange(5) / 10 * 3)
    assert b.has("a") and not b.has("c")
    with pytest.raises(KeyError, match="no channel 'c'"):
        b.column("c")


def test_inconsistent_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        SampleBlock(t_s=np.zeros(3), t_host_s=np.zeros(2), values=np.zeros((3, 1)), channels=("x",))


def test_effort_key_types() -> None:
    assert Direction.PUSH.sign == 1.0 and Direction.PULL.sign == -1.0
    caps = Capabilities(push=True, pull=False)
    assert caps.measures(Direction.PUSH) and not caps.measures(Direction.PULL)
    assert caps.describe() == "push"
    assert (
        MovementKey("hip-ir", Side.LEFT, Direction.PUSH, "90-90").label()
        == "hip-ir left push @ 90-90"
    )
