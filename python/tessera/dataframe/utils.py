"""Testing helpers, as dask.dataframe.utils provides them."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _materialize(value):
    if hasattr(value, "compute") and not isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return value.compute()
    return value


def assert_eq(a, b, check_dtype=True, check_index=True, check_names=True, sort_results=False, check_freq=False,
              **kwargs):
    """Compares tessera collections or results with pandas objects (values, dtypes, index and
    names), computing lazy objects first; an index's freq is not compared unless check_freq. ``check_index=False`` compares values in order, ignoring
    labels; ``sort_results`` sorts both sides by index (or values) first."""
    a, b = _materialize(a), _materialize(b)
    if isinstance(a, (pd.DataFrame, pd.Series)):
        if sort_results:
            a, b = a.sort_index(), b.sort_index()
        if not check_index:
            a, b = a.reset_index(drop=True), b.reset_index(drop=True)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_dtype=check_dtype, check_names=check_names, check_freq=check_freq,
                                          check_index_type="equiv" if check_dtype else False, **kwargs)
        else:
            pd.testing.assert_series_equal(a, b, check_dtype=check_dtype, check_names=check_names, check_freq=check_freq,
                                           check_index_type="equiv" if check_dtype else False, **kwargs)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=check_dtype, check_names=check_names)
    elif isinstance(a, float) or isinstance(b, float):
        if np.isnan(a) and np.isnan(b):
            return True
        assert np.isclose(a, b, rtol=1e-9, atol=0), f"{a} != {b}"
    else:
        assert a == b, f"{a!r} != {b!r}"
    return True
