import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoforce.core.ringbuffer import RingBuffer


def test_latest_returns_rows_in_time_order_after_wrap() -> None:
    rb = RingBuffer(5, 2)
    rb.extend(np.arange(6, dtype=float).reshape(3, 2))  # rows 0..2
    rb.extend(np.arange(6, 12, dtype=float).reshape(3, 2))  # rows 3..5, wraps
    assert len(rb) == 5
    assert rb.total_written == 6
    np.testing.assert_array_equal(rb.latest()[:, 0], [2, 4, 6, 8, 10])
    np.testing.assert_array_equal(rb.latest(2)[:, 1], [9, 11])


def test_block_larger_than_capacity_keeps_the_tail() -> None:
    rb = RingBuffer(4, 1)
    rb.extend(np.arange(3, dtype=float)[:, None])
    rb.extend(np.arange(10, 20, dtype=float)[:, None])
    np.testing.assert_array_equal(rb.latest()[:, 0], [16, 17, 18, 19])
    rb.extend(np.array([[99.0]]))
    np.testing.assert_array_equal(rb.latest()[:, 0], [17, 18, 19, 99])


def test_empty_and_bad_shapes() -> None:
    rb = RingBuffer(3, 2)
    assert rb.latest().shape == (0, 2)
    rb.extend(np.empty((0, 2)))
    assert len(rb) == 0
    with pytest.raises(ValueError, match="columns"):
        rb.extend(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        RingBuffer(0, 1)


def test_storage_is_preallocated_and_never_reallocated() -> None:
    rb = RingBuffer(8, 1)
    before = rb._data
    for i in range(10):
        rb.extend(np.full((3, 1), float(i)))
    assert rb._data is before


@given(
    capacity=st.integers(1, 40),
    sizes=st.lists(st.integers(0, 60), max_size=20),
)
def test_matches_tail_of_everything_written(capacity: int, sizes: list[int]) -> None:
    rb = RingBuffer(capacity, 1)
    everything: list[float] = []
    counter = 0
    for n in sizes:
        rows = np.arange(counter, counter + n, dtype=float)
        counter += n
        everything.extend(rows.tolist())
        rb.extend(rows[:, None])
    expected = everything[-capacity:] if everything else []
    np.testing.assert_array_equal(rb.latest()[:, 0], expected)
