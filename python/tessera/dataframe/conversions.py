"""``dd.to_datetime`` and ``dd.to_numeric``: pandas' converters run on every partition of a
lazy Series (pandas objects and scalars go straight to pandas)."""

from __future__ import annotations

import pandas as pd

from .core import DataFrame, Series


def _converted(converter, arg, kwargs, meta):
    if not isinstance(arg, (Series, DataFrame)):
        return converter(arg, **kwargs)
    if isinstance(arg, DataFrame) and converter is pd.to_numeric:
        raise TypeError("to_numeric takes a Series; convert the columns one by one or with astype")

    def convert(part):
        return converter(part, **kwargs)
    return arg.map_partitions(convert, meta=meta)


def to_datetime(arg, meta=None, **kwargs):
    """pandas.to_datetime on every partition (a frame of year/month/day columns too); the dtype
    and unit are pandas' for the first rows unless meta= is given."""
    return _converted(pd.to_datetime, arg, kwargs, meta)


def to_numeric(arg, errors="raise", meta=None, **kwargs):
    """pandas.to_numeric on every partition of a Series."""
    return _converted(pd.to_numeric, arg, {"errors": errors, **kwargs}, meta)
