"""``df.groupby(...)``: aggregations, ``agg`` and ``apply`` over groups."""

from __future__ import annotations

from .._convert import PANDAS_MAJOR
from .core import DataFrame, Series, _as_list, _reject
from .partition_functions import _python_function


_AGGREGATIONS = ("sum", "mean", "count", "min", "max", "first", "last", "nunique")


def _aggregation(name, engine_attribute, result):
    """A method calling the engine object's aggregate(name) and wrapping it in `result`."""
    def method(self, **kwargs):
        _reject(kwargs, name)
        return result(getattr(self, engine_attribute).aggregate(name))
    method.__name__ = name
    return method



class GroupBy:
    """df.groupby(...): aggregations return lazy frames; one key becomes the index."""

    def __init__(self, engine, frame, keys=()):
        self._g, self._frame, self._keys = engine, frame, list(keys)

    def __getitem__(self, key):
        if isinstance(key, (list, tuple)):
            return GroupBy(self._g.select([str(k) for k in key]), self._frame, self._keys)
        if len(self._keys) > 1:
            # several keys stay columns (no MultiIndex yet): a frame of keys and the column, as
            # pandas' result after reset_index()
            return GroupBy(self._g.select([str(key)]), self._frame, self._keys)
        return SeriesGroupBy(self._g.column(str(key)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    sum, mean, count, min, max, first, last, nunique = (_aggregation(n, "_g", DataFrame) for n in _AGGREGATIONS)

    def var(self, ddof=1):
        return DataFrame(self._g.aggregate("var", ddof))

    def std(self, ddof=1):
        return DataFrame(self._g.aggregate("std", ddof))

    def size(self):
        return Series(self._g.size()).rename(None)  # unnamed, as pandas

    def agg(self, arg=None, **named):
        if named:
            return DataFrame(self._g.agg_named([(out, str(col), str(fn)) for out, (col, fn) in named.items()]))
        if isinstance(arg, dict):
            return DataFrame(self._g.agg({str(k): _as_list(v) for k, v in arg.items()}))
        raise NotImplementedError("agg takes {column: function(s)} or named aggregations")

    aggregate = agg

    def apply(self, func, *args, meta=None, **kwargs):
        """func on every whole group (after a shuffle by key). As pandas 3 does, the grouping
        columns are left out of the groups the function sees (pandas 2 passes them)."""
        if PANDAS_MAJOR >= 3 and self._keys:
            user_func, keys = func, self._keys

            def func(group, *a, **k):
                return user_func(group.drop(columns=keys), *a, **k)
        # without meta, the function's result on an empty group (the frame's meta) describes it
        sample = self._frame._meta if meta is None else None
        function, engine_meta, _, _ = _python_function(func, args, kwargs, meta, sample, True, keep_index=True)
        return DataFrame(self._g.apply(function, engine_meta))


class SeriesGroupBy:
    def __init__(self, engine):
        self._g = engine

    sum, mean, count, min, max, first, last, nunique = (_aggregation(n, "_g", Series) for n in _AGGREGATIONS)
    size = _aggregation("size", "_g", Series)

    def var(self, ddof=1):
        return Series(self._g.aggregate("var", ddof))

    def std(self, ddof=1):
        return Series(self._g.aggregate("std", ddof))

    def agg(self, functions):
        if isinstance(functions, str):
            return Series(self._g.aggregate(functions))
        return DataFrame(self._g.agg(_as_list(functions)))

    aggregate = agg

