"""Label and partition selection: ``df.loc[...]`` and ``df.partitions[...]``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _core
from .._convert import to_engine_scalar
from .core import DataFrame, Series


class _LocIndexer:
    def __init__(self, frame):
        self._frame = frame

    def __getitem__(self, key):
        frame = self._frame
        columns = None
        if isinstance(key, tuple):
            key, columns = key
        d = frame._frame_engine()
        if d.index_dtype is None and not isinstance(key, Series):
            return frame._from_frame(_loc_per_partition(DataFrame(d), key, columns))
        if isinstance(key, slice):
            if key.step is not None:
                raise ValueError("loc slices with a step are not supported")
            d = _loc_slice(frame, d, key.start, key.stop)
        elif isinstance(key, Series):
            d = d.filter(key._s)
        elif isinstance(key, (list, np.ndarray, pd.Index)):
            d = d.loc_labels([to_engine_scalar(v) for v in key])
        else:
            d = d.loc_label(key if isinstance(key, str) else to_engine_scalar(key))
        result = DataFrame(d)
        if columns is not None:
            result = result[columns]
        return frame._from_frame(result)


def _loc_slice(frame, d, start, stop):
    index_dtype = d.index_dtype
    if index_dtype is None:
        raise ValueError("loc needs an index; call set_index first")
    if index_dtype.startswith("datetime64") and (isinstance(start, (str, type(None))) and isinstance(stop, (str, type(None)))):
        low = start if start is not None else "1677-09-22"
        high = stop if stop is not None else "2262-04-10"
        return d.loc_slice(low, high)
    index = d.index()
    mask = None
    if start is not None:
        mask = _core.binary("ge", index, to_engine_scalar(start))
    if stop is not None:
        upper = _core.binary("le", index, to_engine_scalar(stop))
        mask = upper if mask is None else _core.binary("and", mask, upper)
    return d if mask is None else d.filter(mask)


class _PartitionsIndexer:
    def __init__(self, collection):
        self._collection = collection

    def __getitem__(self, key):
        n = self._collection.npartitions
        indices = list(range(n))[key] if isinstance(key, slice) else (
            list(key) if isinstance(key, (list, tuple)) else [key])
        indices = [i + n if i < 0 else i for i in indices]
        for i in indices:
            if not 0 <= i < n:
                raise IndexError(f"partition {i} out of range: the collection has {n} partitions")
        c = self._collection
        return c._from_frame(DataFrame(c._frame_engine().partitions(indices)))



def _loc_per_partition(frame, key, columns):
    """loc on a frame without an index: as in Dask, every partition numbers its rows from 0, so
    a label selects that row of every partition (searching them all)."""
    from .partition_functions import _map_partitions

    labels = [key.start, key.stop] if isinstance(key, slice) else (
        list(key) if isinstance(key, (list, np.ndarray, pd.Index)) else [key])
    if not all(label is None or isinstance(label, (int, np.integer)) for label in labels):
        raise ValueError(f"loc[{key!r}] on a frame without an index: its labels are row numbers within each "
                         f"partition (as in Dask); call set_index first to select by other labels")

    def select(pdf):
        index = pdf.index
        if isinstance(key, slice):
            rows = pdf.loc[key]
        elif isinstance(key, (list, np.ndarray, pd.Index)):
            rows = pdf[index.isin(list(key))]
        else:
            rows = pdf[index == key]
        return rows if columns is None else rows[columns]
    meta = select(frame._meta)
    return _map_partitions(frame, select, (), {}, meta, name="loc", keep_index=True)


class _ILocIndexer:
    """``df.iloc[:, positions]``: columns by position, the only iloc Dask supports (rows have no
    global positions without computing every partition's length)."""

    def __init__(self, frame):
        self._frame = frame

    def __getitem__(self, key):
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], slice) and key[0] == slice(None)):
            raise NotImplementedError("iloc selects columns only, as in Dask: write df.iloc[:, positions]; "
                                      "select rows with loc, head, or partitions[...]")
        columns = self._frame.columns
        try:
            selected = columns[key[1]]
        except IndexError:
            raise IndexError(f"iloc: column position(s) {key[1]!r} out of range for {len(columns)} columns") from None
        if np.ndim(selected) == 0:
            return self._frame[selected]
        return self._frame[list(selected)]
