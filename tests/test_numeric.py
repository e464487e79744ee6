"""The median helper (which avoids numpy.median's numpy.ma import) equals numpy.median."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from oximetry._numeric import median

_FLOATS = st.floats(
    allow_nan=False, allow_infinity=False, width=64, min_value=-1e300, max_value=1e300
)


@given(arrays(np.float64, st.integers(1, 60), elements=_FLOATS))
def test_median_equals_numpy_median_bit_for_bit(values: np.ndarray) -> None:
    assert median(values) == float(np.median(values))


@given(arrays(np.float64, st.integers(1, 40), elements=st.integers(0, 100).map(float)))
def test_median_of_whole_percents(values: np.ndarray) -> None:
    assert median(values) == float(np.median(values))


def test_median_does_not_modify_its_input_and_refuses_nan_or_nothing() -> None:
    x = np.array([3.0, 1.0, 2.0, 5.0])
    assert median(x) == 2.5
    np.testing.assert_array_equal(x, [3.0, 1.0, 2.0, 5.0])
    with pytest.raises(ValueError, match="NaN"):
        median([1.0, np.nan])
    with pytest.raises(ValueError, match="no values"):
        median([])
