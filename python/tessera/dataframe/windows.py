"""Time and row windows: ``resample(rule)`` and ``rolling(window)``."""

from __future__ import annotations

from .core import DataFrame, Series, _as_list
from .groupby import _aggregation


def _resample_aggregation(name):
    def method(self):
        if self._frame:
            return DataFrame(self._r.frame(name))
        return Series(self._r.aggregate(name))
    method.__name__ = name
    return method



class Resampler:
    def __init__(self, engine, frame):
        self._r, self._frame = engine, frame

    mean, sum, count, size, min, max, first, last, var, std = (
        _resample_aggregation(n) for n in ("mean", "sum", "count", "size", "min", "max", "first", "last", "var", "std"))

    def agg(self, functions):
        if isinstance(functions, str):
            return getattr(self, functions)()
        return DataFrame(self._r.agg(_as_list(functions)))

    aggregate = agg


class Rolling:
    def __init__(self, engine):
        self._r = engine

    mean, sum, count, min, max = (_aggregation(n, "_r", Series) for n in ("mean", "sum", "count", "min", "max"))

    def var(self, ddof=1):
        return Series(self._r.aggregate("var", ddof))

    def std(self, ddof=1):
        return Series(self._r.aggregate("std", ddof))

    def aggregate(self, func):
        """One window function by name ("mean", "sum", "count", "min", "max", "var", "std")."""
        return Series(self._r.aggregate(str(func)))

    agg = aggregate

