"""The ``Series.dt`` and ``Series.str`` accessors."""

from __future__ import annotations

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


class _StringAccessor:
    def __init__(self, series):
        self._s = series._d

    len, lower, upper, strip, lstrip, rstrip = (
        _str_method(n) for n in ("len", "lower", "upper", "strip", "lstrip", "rstrip"))

    def contains(self, pat, regex=True):
        return Series(self._s.str_contains(str(pat), bool(regex)))

    def startswith(self, prefix):
        return Series(self._s.str_startswith(str(prefix)))

    def endswith(self, suffix):
        return Series(self._s.str_endswith(str(suffix)))

    def slice(self, start=None, stop=None):
        return Series(self._s.str_slice(start, stop))

    def replace(self, pat, repl, regex=False):
        if regex:
            raise NotImplementedError("str.replace with regex=True is not supported yet")
        return Series(self._s.str_replace(str(pat), str(repl)))

