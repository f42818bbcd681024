"""User pandas functions run on every partition (``map_partitions``, ``apply``, group
``apply``), and the meta describing their results."""

from __future__ import annotations

import pandas as pd

from .. import _profiling
from .._convert import pandas_to_table, table_to_pandas
from .core import DataFrame, Series


def _meta_to_pandas(meta):
    if isinstance(meta, (pd.DataFrame, pd.Series)):
        return meta.iloc[:0]
    if isinstance(meta, dict):
        return pd.DataFrame({k: pd.Series([], dtype=v) for k, v in meta.items()})
    if isinstance(meta, list):
        return pd.DataFrame({k: pd.Series([], dtype=v) for k, v in meta})
    if isinstance(meta, tuple) and len(meta) == 2:
        return pd.Series([], dtype=meta[1], name=meta[0])
    return pd.Series([], dtype=meta)


def _python_function(func, args, kwargs, meta, sample, input_has_index, input_is_series=False, keep_index=False):
    """The engine-side function (Table -> Table) around a pandas function, plus the engine meta,
    whether the result is a Series, and its name.

    Meta is `meta` when given, else the function's result on `sample` (a few real rows, so no
    made-up values reach the function). Series results travel as one-column frames. A partition
    without an index gets none back when the function returns pandas' default RangeIndex."""
    if meta is None:
        if sample is None:
            raise ValueError("meta= is needed here: pass an empty pandas object shaped like the result")
        try:
            meta_pd = func(sample, *args, **kwargs)
        except Exception as error:
            error.add_note(f"while inferring meta by running {getattr(func, '__name__', func)!r} on the first "
                           f"rows; pass meta= to skip inference")
            raise
        if not isinstance(meta_pd, (pd.DataFrame, pd.Series)):
            raise TypeError(f"the function returned {type(meta_pd).__name__}, not a pandas DataFrame or Series")
        meta_pd = meta_pd.iloc[:0]
    else:
        meta_pd = _meta_to_pandas(meta)
    returns_series = isinstance(meta_pd, pd.Series)
    result_name = meta_pd.name if returns_series else None
    column_name = result_name if result_name is not None else "0"

    def to_table(result, keep):
        if isinstance(result, pd.Series):
            if not returns_series:
                raise TypeError("the function returned a Series but meta describes a DataFrame")
            result = result.to_frame(name=column_name)
        elif not isinstance(result, pd.DataFrame):
            raise TypeError(f"the function returned {type(result).__name__}; a pandas DataFrame or Series is needed")
        elif returns_series:
            raise TypeError("the function returned a DataFrame but meta describes a Series")
        return pandas_to_table(result, keep_index=keep)

    # Whether results carry an index is decided once (from the input), so every partition agrees:
    # a frame without one (read_csv) keeps none, since pandas' default RangeIndex is positional.
    keep = keep_index or input_has_index

    prefix = getattr(func, "__name__", "map_partitions").replace("<", "").replace(">", "")

    def function(table):
        frame = table_to_pandas(table, writable=True)  # user code may write into its input
        if input_is_series:
            frame = frame.iloc[:, 0]
        with _profiling.task(prefix):
            result = func(frame, *args, **kwargs)
        return to_table(result, keep)

    return function, to_table(meta_pd, keep), returns_series, result_name


def _map_partitions(collection, func, args, kwargs, meta, name=None):
    is_series = isinstance(collection, Series)
    sample = collection.head(10).copy() if meta is None else None
    frame = collection._frame_engine()
    function, engine_meta, returns_series, result_name = _python_function(
        func, args, kwargs, meta, sample, frame.index_dtype is not None, input_is_series=is_series)
    d = frame.map_partitions(function, engine_meta,
                                                  name or getattr(func, "__name__", "map_partitions"))
    if not returns_series:
        return DataFrame(d)
    series = Series(d.column(d.columns[0]))
    return series if result_name is not None else series.rename(None)

