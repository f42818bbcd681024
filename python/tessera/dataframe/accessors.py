"""The ``Series.dt`` and ``Series.str`` accessors.

String methods the engine implements run there; every other pandas ``str`` method (``split``,
``get``, ``cat``, ``pad``, ``zfill``, ``find``, ``count``, ``extract``, regex ``replace``, ...)
runs as pandas on each partition, with its meta from pandas on the first rows plus a missing
value, so partitions with and without missing values agree on the dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Series


def _dt_field(name):
    return property(lambda self: Series(self._s.dt(name)))


class _DatetimeAccessor:
    def __init__(self, series):
        self._s = series._d

    year, month, day, hour, minute, second = (_dt_field(f) for f in ("year", "month", "day", "hour", "minute", "second"))
    dayofweek = weekday = day_of_week = _dt_field("dayofweek")
    dayofyear = day_of_year = _dt_field("dayofyear")
    date = _dt_field("date")

    def normalize(self):
        return Series(self._s.dt("normalize"))

    def floor(self, freq):
        return Series(self._s.dt("floor", str(freq)))

    def ceil(self, freq):
        return Series(self._s.dt("ceil", str(freq)))

    def round(self, freq):
        return Series(self._s.dt("round", str(freq)))


def _str_method(name):
    """A Series.str method without arguments, calling the engine's str_<name>."""
    def method(self):
        return Series(getattr(self._s, "str_" + name)())
    method.__name__ = name
    return method


def _with_missing(sample: pd.Series) -> pd.Series:
    """`sample` and one missing value: the dtype pandas gives a partition that has one."""
    missing = pd.Series([None], dtype=sample.dtype, name=sample.name)
    return pd.concat([sample, missing], ignore_index=True)


class _StringAccessor:
    def __init__(self, series):
        self._series = series
        self._s = series._d

    len, lower, upper = (_str_method(n) for n in ("len", "lower", "upper"))

    def _pandas(self, method, *args, **kwargs):
        """pandas' ``Series.str.<method>`` on every partition."""
        def run(s):
            return getattr(s.str, method)(*args, **kwargs)
        meta = run(_with_missing(self._series.head(10))).iloc[:0]
        if isinstance(meta, pd.DataFrame):
            labels = {str(c): c for c in meta.columns}

            def run_frame(s):
                return _as_meta(run(s), meta).rename(columns=str)
            frame = self._series.map_partitions(run_frame, meta=meta.rename(columns=str))
            if all(label == name for name, label in labels.items()):
                return frame
            from .shape import Shape, ShapedFrame
            return ShapedFrame(frame._d, Shape(columns=labels))

        if meta.dtype == np.float64 and run(self._series.head(10).dropna()).dtype == np.int64:
            # int64 counts and positions that pandas turns into float64 only where a value is
            # missing (find, count, len): int64 with nulls in the engine, so results come back
            # as pandas gives them, int64 without missing values and float64 with NaN otherwise.
            meta = meta.astype(np.int64)

            def run_series(s):
                result = run(s)
                return result.astype("Int64") if result.dtype == np.float64 else result
        else:
            def run_series(s):
                return _as_meta(run(s), meta)
        run_series.__name__ = f"str-{method}"
        return self._series.map_partitions(run_series, meta=meta)

    def strip(self, to_strip=None):
        return Series(self._s.str_strip()) if to_strip is None else self._pandas("strip", to_strip)

    def lstrip(self, to_strip=None):
        return Series(self._s.str_lstrip()) if to_strip is None else self._pandas("lstrip", to_strip)

    def rstrip(self, to_strip=None):
        return Series(self._s.str_rstrip()) if to_strip is None else self._pandas("rstrip", to_strip)

    def contains(self, pat, case=True, flags=0, na=None, regex=True):
        if case and not flags and na is None and isinstance(pat, str):
            return Series(self._s.str_contains(pat, bool(regex)))
        return self._pandas("contains", pat, case=case, flags=flags, na=na, regex=regex)

    def startswith(self, prefix, na=None):
        if isinstance(prefix, str) and na is None:
            return Series(self._s.str_startswith(prefix))
        return self._pandas("startswith", prefix, na=na)

    def endswith(self, suffix, na=None):
        if isinstance(suffix, str) and na is None:
            return Series(self._s.str_endswith(suffix))
        return self._pandas("endswith", suffix, na=na)

    def slice(self, start=None, stop=None, step=None):
        if step is None or step == 1:
            return Series(self._s.str_slice(start, stop))
        return self._pandas("slice", start, stop, step)

    def __getitem__(self, key):
        """``s.str[1:3]`` slices every string; ``s.str[0]`` takes one character (missing when
        the string is shorter), as pandas."""
        if isinstance(key, slice):
            return self.slice(key.start, key.stop, key.step)
        return self._pandas("get", key)

    def replace(self, pat, repl, n=-1, case=None, flags=0, regex=False):
        if not regex and n == -1 and case is None and not flags and isinstance(pat, str) and isinstance(repl, str):
            return Series(self._s.str_replace(pat, repl))
        return self._pandas("replace", pat, repl, n=n, case=case, flags=flags, regex=regex)

    def split(self, pat=None, n=-1, expand=False, regex=None):
        """Lists of parts (a Series of objects), or with ``expand=True`` a frame of ``n + 1``
        columns; as in Dask, ``expand=True`` needs ``n`` (the number of columns must be known)."""
        return self._split("split", pat, n, expand, regex)

    def rsplit(self, pat=None, n=-1, expand=False):
        return self._split("rsplit", pat, n, expand, None)

    def _split(self, method, pat, n, expand, regex):
        if not expand:
            options = {} if regex is None else {"regex": regex}
            return self._pandas(method, pat, n=n, **options)
        if n is None or n < 0:
            raise NotImplementedError(f"str.{method}(expand=True) needs n=, the number of splits: the columns of a "
                                      f"lazy frame must be known before it is computed (as in Dask)")
        columns = list(range(n + 1))
        options = {} if regex is None else {"regex": regex}

        def run(s):
            return getattr(s.str, method)(pat, n=n, expand=True, **options).reindex(columns=columns)
        meta = run(_with_missing(self._series.head(10))).iloc[:0]
        frame = self._series.map_partitions(lambda s: run(s).rename(columns=str), meta=meta.rename(columns=str))
        from .shape import Shape, ShapedFrame
        return ShapedFrame(frame._d, Shape(columns={str(c): c for c in columns}))

    def cat(self, others=None, sep=None, na_rep=None, join="left"):
        """Element-wise concatenation with other string Series of the same frame."""
        if others is None:
            raise NotImplementedError("str.cat() without others joins a whole column into one string; compute() "
                                      "first (as in Dask)")
        others = list(others) if isinstance(others, (list, tuple)) else [others]
        if not all(isinstance(o, Series) for o in others):
            raise TypeError("str.cat takes others= as a Series or a list of Series of the same frame")
        from .partition_functions import combine_partitionwise
        series = [self._series] + others

        def run(first, *rest):
            return first.str.cat(list(rest), sep=sep, na_rep=na_rep, join=join)
        return combine_partitionwise(series, run, "str-cat")

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(pd.Series.str, name):
            raise AttributeError(f"'.str' has no method {name!r}")

        def method(*args, **kwargs):
            return self._pandas(name, *args, **kwargs)
        method.__name__ = name
        return method


def _as_meta(result, meta):
    """A partition's result in meta's dtypes (a partition without missing values may give
    int64 where meta, as pandas with a missing value, says float64)."""
    if isinstance(result, pd.DataFrame):
        return result.astype(meta.dtypes.to_dict(), copy=False) if not result.dtypes.equals(meta.dtypes) else result
    return result.astype(meta.dtype, copy=False) if result.dtype != meta.dtype else result


class _CategoricalAccessor:
    """``Series.cat`` on a category Series. As in Dask, categories are unknown after
    ``astype("category")`` (each partition has its own); ``as_known()`` computes them (every
    value present, sorted, as pandas gives them), and ``codes`` and ``categories`` use them,
    computing them first when unknown."""

    def __init__(self, series):
        if series.dtype != "category":
            raise AttributeError(f"Can only use .cat accessor with a 'category' dtype, not {series.dtype}")
        self._series = series

    @property
    def known(self):
        return getattr(self._series, "_categories", None) is not None

    def as_known(self):
        """The Series with its categories computed (Dask's as_known: this computes)."""
        if self.known:
            return self._series
        values = self._series.astype(_values_dtype(self._series)).dropna().unique().compute()
        return _with_categories(self._series, pd.Index(values).rename(None).sort_values())

    def as_unknown(self):
        return Series(self._series._d)

    @property
    def categories(self):
        return self.as_known()._categories

    @property
    def codes(self):
        known = self.as_known()
        dtype = pd.CategoricalDtype(known._categories)

        def codes(part):
            return part.astype(dtype).cat.codes
        meta = known._meta.astype(dtype).cat.codes
        return known.map_partitions(codes, meta=meta)

    @property
    def ordered(self):
        return False


def _values_dtype(series):
    """The dtype of a category Series' values (the engine's dictionary dtype)."""
    sample = series._meta.cat.categories
    return "string" if sample.dtype == object or pd.api.types.is_string_dtype(sample.dtype) else sample.dtype


def _with_categories(series, categories):
    known = Series(series._d)
    known._categories = categories
    return known
