"""Time and row windows: ``resample(rule)`` and ``rolling(window)`` on Series and frames.

Resample results keep their ``freq`` (the rule as a pandas offset), as pandas' and Dask's do. A
frame's rolling windows run per numeric column in the engine (correct across partition
boundaries) and come back as one frame."""

from __future__ import annotations

import numbers

import pandas as pd

from pandas.tseries.frequencies import to_offset

from .core import DataFrame, Series, _as_list
from .shape import Shape, ShapedFrame, shaped_series


def _resample_aggregation(name):
    def method(self):
        if self._frame:
            return self._with_freq(DataFrame(self._r.frame(name)))
        return self._with_freq(Series(self._r.aggregate(name)))
    method.__name__ = name
    return method


class Resampler:
    def __init__(self, engine, frame, rule):
        self._r, self._frame, self._freq = engine, frame, to_offset(rule)

    def _with_freq(self, result):
        if isinstance(result, Series):
            return shaped_series(result, Shape(freq=self._freq))
        return ShapedFrame(result._d, Shape(freq=self._freq))

    mean, sum, count, size, min, max, first, last, var, std = (
        _resample_aggregation(n) for n in ("mean", "sum", "count", "size", "min", "max", "first", "last", "var", "std"))

    def agg(self, functions):
        if isinstance(functions, str):
            return getattr(self, functions)()
        return self._with_freq(DataFrame(self._r.agg(_as_list(functions))))

    aggregate = agg


_WINDOW_FUNCTIONS = ("mean", "sum", "count", "min", "max", "var", "std")


def _rolling_method(name):
    def method(self, *args, **kwargs):
        return self.aggregate(name, *args, **kwargs)
    method.__name__ = name
    return method


class Rolling:
    """``series.rolling(window)`` or ``frame.rolling(window)``: window functions by name."""

    def __init__(self, collection, window, min_periods=None):
        if isinstance(window, numbers.Integral):
            if window < 0:
                raise ValueError(f"rolling: window must be a non-negative number of rows, got {window}")
        elif not isinstance(window, str):
            raise TypeError(f"rolling: window must be a number of rows or a time span such as '24h', got {window!r}")
        self._collection, self._window, self._min_periods = collection, window, min_periods

    def _series_rolling(self, series):
        if isinstance(self._window, numbers.Integral):
            return series._d.rolling_rows(int(self._window), self._min_periods)
        return series._d.rolling_span(str(self._window), 1 if self._min_periods is None else int(self._min_periods))

    mean, sum, count, min, max = (_rolling_method(n) for n in ("mean", "sum", "count", "min", "max"))

    def var(self, ddof=1):
        return self.aggregate("var", ddof=ddof)

    def std(self, ddof=1):
        return self.aggregate("std", ddof=ddof)

    def aggregate(self, func, ddof=1):
        """One window function by name ("mean", "sum", "count", "min", "max", "var", "std")."""
        func = str(func)
        if func not in _WINDOW_FUNCTIONS:
            raise ValueError(f"rolling: unknown window function {func!r}; use one of {list(_WINDOW_FUNCTIONS)}")
        collection = self._collection
        if isinstance(collection, Series):
            return Series(self._series_rolling(collection).aggregate(func, ddof))
        return _frame_rolling(collection, self._window, self._min_periods, func, ddof)

    agg = aggregate


_OVERLAP = "\x1foverlap"


def _frame_rolling(frame, window, min_periods, func, ddof):
    """A frame's windows, as Dask's map_overlap: every partition is computed by pandas together
    with the end of the partition before it (the last window - 1 rows, or the last time span)."""
    import pandas as pd

    from .multi import concat

    def run(pdf):
        rolling = pdf.rolling(window, min_periods=min_periods)
        return getattr(rolling, func)(ddof=ddof) if func in ("var", "std") else getattr(rolling, func)()

    numeric = [c for c, dtype in frame.dtypes.items() if dtype.kind in "biuf"]
    if not numeric:
        raise TypeError("rolling on a frame needs numeric columns; this frame has none")
    frame = frame[numeric]
    def too_short(position):
        return ValueError(f"rolling({window!r}) reaches past partition {position}, the one before the next: "
                          f"repartition into fewer, larger partitions (as Dask requires)")

    # previous partitions each partition needs: known divisions give them exactly for a time
    # span; otherwise one, checked when it runs
    divisions = frame.divisions if frame.known_divisions else None
    if isinstance(window, numbers.Integral):
        def tail(pdf, position, checked):
            if checked and len(pdf) < window - 1:
                raise too_short(position)
            return pdf.iloc[max(len(pdf) - (int(window) - 1), 0):] if window > 1 else pdf.iloc[:0]
    else:
        span = pd.Timedelta(window)

        def tail(pdf, position, checked):
            if not isinstance(pdf.index, pd.DatetimeIndex):
                raise TypeError(f"rolling({window!r}) needs a datetime index; call set_index first")
            if not len(pdf):
                return pdf
            if checked and pdf.index[0] > pdf.index[-1] - span:
                raise too_short(position)
            return pdf[pdf.index > pdf.index[-1] - span]

    def previous_partitions(i):
        if i == 0:
            return []
        if divisions is None or isinstance(window, numbers.Integral):
            return [i - 1]
        first = i - 1
        while first > 0 and pd.Timestamp(divisions[first]) > pd.Timestamp(divisions[i]) - span:
            first -= 1
        return list(range(first, i))

    def with_marker(pdf):
        return pdf.assign(**{_OVERLAP: False})

    def finish(pdf):
        overlap = pdf[_OVERLAP].to_numpy(dtype=bool)
        return run(pdf.drop(columns=[_OVERLAP]))[~overlap]

    meta = run(frame._meta)
    pieces = []
    for i in range(frame.npartitions):
        current = frame.partitions[i].map_partitions(with_marker)
        before = previous_partitions(i)
        if before:
            tails = []
            for j in before:
                # a row window always knows whether one partition was enough; a time span
                # only without divisions (with them, `before` already holds every partition needed)
                checked = j > 0 and (isinstance(window, numbers.Integral) or divisions is None)

                def marked_tail(pdf, position=j, checked=checked):
                    return tail(pdf, position, checked).assign(**{_OVERLAP: True})
                tails.append(frame.partitions[j].map_partitions(marked_tail, meta=current._meta))
            current = concat(tails + [current]).repartition(npartitions=1)
        pieces.append(current.map_partitions(finish, meta=meta))
    return pieces[0] if len(pieces) == 1 else concat(pieces)


# ---------------------------------------------------------------------------------------------
# Operations that need values of other partitions: cumulative ops (each partition continues from
# the aggregate of the partitions before it) and shift / diff (rows of the neighbouring
# partitions), as Dask's cumulative aggregations and map_overlap give them. A first step
# summarises every partition (tagged with its number), the summaries meet in one partition, and
# that is given to every partition's final step.

_PART = "\x1fpartition"
_CUMULATIVE = {"cumsum": "sum", "cumprod": "prod", "cummax": "max", "cummin": "min"}


_VALUES = "\x1fvalues"


def _as_frame(part):
    return part.to_frame(name=_VALUES) if isinstance(part, pd.Series) else part


def _like(part, frame):
    """`frame` (one-column for a Series `part`) back in `part`'s kind."""
    return frame.iloc[:, 0].rename(part.name) if isinstance(part, pd.Series) else frame


def _summaries(collection, summarise, name):
    """One partition holding summarise(partition) of every partition, tagged with its number."""
    from .partition_functions import zip_partitions

    def run(i, part):
        return summarise(_as_frame(part)).assign(**{_PART: i})
    return zip_partitions(run, [collection], name=name, keep_index=False, with_partition=True).repartition(npartitions=1)


def cumulative(collection, name, skipna=True):
    """cumsum / cumprod / cummax / cummin of a Series or a frame's columns, across partitions."""
    from .partition_functions import zip_partitions
    reduction = _CUMULATIVE[name]

    def summarise(frame):
        if not len(frame):
            return frame.iloc[:0]
        return getattr(frame, reduction)(skipna=skipna).to_frame().T.astype(frame.dtypes)

    summaries = _summaries(collection, summarise, f"{name}-chunk")

    def finish(i, part, totals):
        before = totals[totals[_PART] < i].drop(columns=[_PART])
        frame = _as_frame(part)
        if len(before) and len(frame):
            # the partitions before as one row that this partition's cumulative op continues from
            carry = getattr(before, reduction)(skipna=skipna).to_frame().T
            frame = getattr(pd.concat([carry.astype(frame.dtypes), frame]), name)(skipna=skipna).iloc[1:]
        else:
            frame = getattr(frame, name)(skipna=skipna)
        return _like(part, frame)
    meta = getattr(collection._meta, name)()
    return zip_partitions(finish, [collection, summaries], meta=meta, broadcast=(1,), name=name, with_partition=True,
                          keep_divisions=True, same_rows=True)


def _meta_of_step(meta, step):
    """The empty result of `step` (shift, diff) on data shaped as `meta`: pandas' dtype for rows
    that exist (integers shifted become float), found on two placeholder rows."""
    def placeholder(dtype):
        try:
            return pd.Series([0, 0]).astype(dtype)
        except (TypeError, ValueError):
            return pd.Series([None, None], dtype=dtype)
    if isinstance(meta, pd.Series):
        return meta.astype(step(placeholder(meta.dtype)).dtype)
    sample = pd.DataFrame({c: placeholder(t) for c, t in meta.dtypes.items()})
    return meta.astype(step(sample).dtypes.to_dict())


def shifted(collection, periods, name, step):
    """shift(periods) or diff(periods) (`step` on a pandas object) of a Series or frame, with the
    rows it needs from neighbouring partitions (after for negative periods)."""
    from .partition_functions import zip_partitions
    if not isinstance(periods, numbers.Integral):
        raise TypeError(f"{name}: periods must be an integer number of rows, got {periods!r}")
    periods = int(periods)
    meta = _meta_of_step(collection._meta, step)
    if periods == 0:
        return zip_partitions(step, [collection], meta=meta, name=name, keep_divisions=True, same_rows=True)

    def edge(frame):
        return frame.iloc[-periods:] if periods > 0 else frame.iloc[:-periods]

    edges = _summaries(collection, edge, f"{name}-overlap")

    def finish(i, part, rows):
        frame = _as_frame(part)
        neighbours = rows[rows[_PART] < i] if periods > 0 else rows[rows[_PART] > i]
        neighbours = neighbours.drop(columns=[_PART])
        if len(neighbours) and len(frame):
            neighbours = neighbours.astype(frame.dtypes)
            whole = pd.concat([neighbours, frame]) if periods > 0 else pd.concat([frame, neighbours])
            result = step(whole)
            result = result.iloc[len(neighbours):] if periods > 0 else result.iloc[:len(frame)]
        else:
            result = step(frame)
        return _like(part, result)
    return zip_partitions(finish, [collection, edges], meta=meta, broadcast=(1,), name=name, with_partition=True,
                          keep_divisions=True, same_rows=True)
