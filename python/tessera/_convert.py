"""Engine tables to pandas and back.

Numeric, bool and timestamp columns without nulls reach pandas as read-only NumPy views of the
engine's buffers (no copy), and NumPy columns reach the engine the same way. Strings travel as
Arrow ``large_string`` buffers and become pandas' default string dtype (``str`` in pandas 3,
``object`` in pandas 2). Nulls follow pandas: NaN in float columns, NaT in datetimes, integers
with nulls become float64, bools with nulls become object.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _core

PANDAS_MAJOR = int(pd.__version__.split(".")[0])
_STRING_DTYPE = pd.Series(["a"]).dtype  # "str" (pandas 3) or object (pandas 2)
# The unit the installed pandas gives timestamps parsed from text and pd.date_range's index:
# microseconds under pandas 3, nanoseconds under pandas 2.
TEXT_DATETIME_UNIT = "us" if PANDAS_MAJOR >= 3 else "ns"

_NUMPY_DTYPES = {
    "bool": np.bool_, "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "float32": np.float32, "float64": np.float64,
}


# ---------------------------------------------------------------------------------------------
# engine -> pandas

def _strings(payload):
    array = _arrow_strings(payload)
    if _STRING_DTYPE == object:
        out = array.to_numpy(zero_copy_only=False)
        if payload["mask"] is not None:
            out[~payload["mask"]] = np.nan  # pandas 2 marks missing text with NaN (as read_csv does)
        return out
    return pd.array(array, dtype=_STRING_DTYPE)


def column_to_pandas(payload, writable=False):
    """One column payload (see table_convert.hpp) as an array pandas takes without a copy: a
    read-only view of the engine's memory, or with `writable` a copy."""
    values = payload.get("values")
    if writable and values is not None and not values.flags.writeable and payload["dtype"] != "category":
        payload = dict(payload, values=values.copy())
    dtype, mask = payload["dtype"], payload["mask"]
    if dtype == "string":
        return _strings(payload)
    values = payload["values"]
    if dtype.startswith(("datetime64", "timedelta64")):
        values = values.view(dtype)  # the engine's unit: datetime64[s|ms|us|ns]
        if mask is not None:
            values = values.copy()
            values[~mask] = np.datetime64("NaT") if dtype[0] == "d" else np.timedelta64("NaT")
        return values
    if dtype == "date":
        dates = values.astype("M8[D]").astype(object)
        if mask is not None:
            dates[~mask] = None
        return dates
    if dtype == "category":
        categories = _strings(payload["categories"])
        codes = values.astype(np.int32, copy=True) if mask is not None else values
        if mask is not None:
            codes[~mask] = -1
        return pd.Categorical.from_codes(codes, categories=pd.Index(categories))
    if mask is None:
        return values
    if dtype.startswith("float"):
        return values  # nulls already hold NaN
    if dtype == "bool":
        out = values.astype(object)
        out[~mask] = np.nan  # as pandas fills a bool column it reindexes
        return out
    out = values.astype(np.float64)  # integers with nulls: float64 with NaN, as pandas
    out[~mask] = np.nan
    return out


def _index(table):
    payload = table.index_to_python()
    if payload is None:
        return pd.RangeIndex(table.num_rows)
    name = table.index_name or None
    values = column_to_pandas(payload)
    return pd.Index(values, name=name, copy=False)


def table_to_pandas(table, writable=False) -> pd.DataFrame:
    """An engine table as a DataFrame over the engine's buffers (read-only views); with
    `writable`, over copies, so code may write into the frame in place."""
    columns = table.columns_to_python()
    data = {name: column_to_pandas(p, writable) for name, p in zip(table.column_names, columns)}
    index = _index(table)
    if not data:
        return pd.DataFrame(index=index)
    return pd.DataFrame(data, index=index, copy=False)


_COLUMN_NAME = object()


def table_to_series(table, name=_COLUMN_NAME) -> pd.Series:
    """A one-column table (index + values) as a Series named `name` (default: the column's)."""
    (payload,) = table.columns_to_python()
    series_name = table.column_names[0] if name is _COLUMN_NAME else name
    return pd.Series(column_to_pandas(payload), index=_index(table), name=series_name, copy=False)


def _arrow_strings(payload):
    offsets, data = payload["offsets"], payload["data"]
    mask = payload["mask"]
    validity, null_count = (None, 0) if mask is None else (_bitmap(mask), int((~mask).sum()))
    return pa.Array.from_buffers(pa.large_string(), len(offsets) - 1,
                                 [validity, pa.py_buffer(offsets), pa.py_buffer(data)], null_count)


def _bitmap(valid):
    return pa.array(valid, type=pa.bool_()).buffers()[1]


def _arrow_time_type(dtype):
    if dtype == "date":
        return pa.date32()
    if dtype.startswith("datetime64["):
        return pa.timestamp(dtype[11:-1])
    if dtype.startswith("timedelta64["):
        return pa.duration(dtype[12:-1])
    return None


def column_to_arrow(payload):
    """One column payload as an Arrow array over the engine's buffers (bools are packed to bits,
    the only copy)."""
    dtype, mask = payload["dtype"], payload["mask"]
    if dtype == "string":
        return _arrow_strings(payload)
    values = payload["values"]
    if dtype == "category":
        codes = pa.array(values, type=pa.int32(), mask=None if mask is None else ~mask)
        return pa.DictionaryArray.from_arrays(codes, _arrow_strings(payload["categories"]))
    if dtype == "bool":
        return pa.array(values, type=pa.bool_(), mask=None if mask is None else ~mask)
    arrow_type = _arrow_time_type(dtype) or pa.from_numpy_dtype(values.dtype)
    validity, null_count = (None, 0) if mask is None else (_bitmap(mask), int((~mask).sum()))
    if dtype.startswith("float") and mask is None and np.isnan(values).any():
        # NaN is pandas' missing value: Arrow readers get it as null, as pa.Table.from_pandas gives
        validity = _bitmap(~np.isnan(values))
        null_count = int(np.isnan(values).sum())
    return pa.Array.from_buffers(arrow_type, len(values), [validity, pa.py_buffer(values)], null_count)


def table_to_arrow(table) -> pa.Table:
    """An engine table as a pyarrow Table without copying its buffers; an index becomes the first
    column (named after it, or "index")."""
    names = list(table.column_names)
    arrays = [column_to_arrow(p) for p in table.columns_to_python()]
    index = table.index_to_python()
    if index is not None:
        names.insert(0, table.index_name or "index")
        arrays.insert(0, column_to_arrow(index))
    return pa.Table.from_arrays(arrays, names=names)


def arrow_to_table(data):
    """Anything with __arrow_c_stream__ (pyarrow, Polars, DuckDB) as an engine table; numeric,
    timestamp and string columns are taken without a copy."""
    table = pa.table(data)
    names, columns = [], []
    for name, chunked in zip(table.column_names, table.columns):
        array = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
        names.append(str(name))
        columns.append(_arrow_column(array, str(name)))
    return _core.make_table(names, columns, None, "")


def _arrow_column(array, name):
    kind = array.type
    valid = None if array.null_count == 0 else np.asarray(array.is_valid(), dtype=bool)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return _string_column(array, name)
    if pa.types.is_dictionary(kind):
        return column_from_pandas(array.to_pandas(), name)
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            array = array.cast(pa.timestamp(kind.unit))
        return _core.column_from_numpy(f"datetime64[{kind.unit}]", _fixed_values(array), valid)
    if pa.types.is_duration(kind):
        return _core.column_from_numpy(f"timedelta64[{kind.unit}]", _fixed_values(array), valid)
    if pa.types.is_date32(kind) or pa.types.is_date64(kind):
        days = array.cast(pa.date32()).cast(pa.int32())
        return _core.column_from_numpy("date", np.ascontiguousarray(days.fill_null(0).to_numpy()), valid)
    if pa.types.is_boolean(kind):
        values = np.ascontiguousarray(array.fill_null(False).to_numpy(zero_copy_only=False))
        return _core.column_from_numpy("bool", values, valid)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = _fixed_values(array)
        if valid is not None and pa.types.is_floating(kind):
            values = np.where(valid, values, np.nan)  # pandas' missing float is NaN
        elif valid is not None:
            return _core.column_from_numpy("float64", np.where(valid, values, np.nan), None)
        return _core.column_from_numpy(str(values.dtype), values, None)
    return column_from_pandas(array.to_pandas(), name)


def _fixed_values(array):
    """The value buffer of a fixed-width Arrow array as NumPy, without a copy."""
    buffer = array.buffers()[1]
    dtype = np.dtype(array.type.to_pandas_dtype()) if not pa.types.is_temporal(array.type) else np.int64
    return np.frombuffer(buffer, dtype=dtype, count=len(array) + array.offset)[array.offset:]


def scalar_to_python(pair):
    """(dtype, value) from the engine as the value pandas would return."""
    dtype, value = pair
    if dtype.startswith("datetime64"):
        return pd.NaT if value is None else pd.Timestamp(np.datetime64(value, dtype[11:-1]))
    if dtype.startswith("timedelta64"):
        return pd.NaT if value is None else pd.Timedelta(np.timedelta64(value, dtype[12:-1]))
    if dtype == "date":
        return None if value is None else (_dt.date(1970, 1, 1) + _dt.timedelta(days=value))
    if value is None:
        return np.nan if dtype not in ("string", "category", "bool") else None
    if dtype in _NUMPY_DTYPES:
        return _NUMPY_DTYPES[dtype](value)
    return value


# ---------------------------------------------------------------------------------------------
# pandas -> engine

def _time_pair(value):
    """A pandas Timestamp / Timedelta as (NumPy dtype name with its unit, ticks)."""
    scalar = value.asm8  # datetime64 / timedelta64 in the value's own unit
    return (str(scalar.dtype), int(scalar.view("i8")))


def to_engine_scalar(value):
    """A Python constant in the form the engine takes (time types as ("datetime64[unit]", ticks)
    tuples, in the unit pandas gives the value)."""
    if isinstance(value, (np.generic,)):
        if isinstance(value, np.datetime64):
            value = pd.Timestamp(value)
        elif isinstance(value, np.timedelta64):
            value = pd.Timedelta(value)
        else:
            value = value.item()
    if isinstance(value, pd.Timestamp) or isinstance(value, _dt.datetime):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return _time_pair(ts)
    if isinstance(value, _dt.date):
        return _time_pair(pd.Timestamp(value))
    if isinstance(value, (pd.Timedelta, _dt.timedelta)):
        delta = pd.Timedelta(value)
        return None if delta is pd.NaT else _time_pair(delta)
    if value is pd.NaT:
        return None
    return value


def _string_column(values, name):
    try:
        array = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise TypeError(
            f"column {name!r} holds objects that are not strings ({error}); "
            f"convert it with astype(str) or to a numeric dtype first") from None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    if array.offset != 0:
        array = pa.concat_arrays([array])
    validity, offsets, data = array.buffers()
    n = len(array)
    offsets_np = np.frombuffer(offsets, dtype=np.int64, count=n + 1)
    data_np = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    valid = None
    if array.null_count:
        valid = ~np.asarray(array.is_null(), dtype=bool)
    return _core.column_from_strings(offsets_np, data_np, valid)


def column_from_pandas(values, name):
    """An array-like (Series, Index, NumPy array) as an engine column, without a copy for
    contiguous numeric NumPy data."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.ArrowDtype):
        array = pa.array(values)
        return _arrow_column(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array, name)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if hasattr(values, "array") else values
        if dtype.ordered:
            raise TypeError(f"column {name!r} is an ordered categorical, which tessera does not keep; "
                            f"pass .cat.as_unordered() or astype(str)")
        if not (dtype.categories.dtype == object or isinstance(dtype.categories.dtype, pd.StringDtype)):
            raise TypeError(f"column {name!r} has categories of dtype {dtype.categories.dtype}; tessera keeps "
                            f"text categories only: convert with astype(str) or to the categories' own dtype")
        codes = np.ascontiguousarray(np.asarray(cat.codes), dtype=np.int32)
        categories = _string_column(np.asarray(cat.categories, dtype=object), name)
        return _core.column_from_codes(codes, categories)
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise TypeError(f"column {name!r} has time zone {dtype.tz}; tessera keeps naive timestamps: pass "
                        f"values.dt.tz_convert('UTC').dt.tz_localize(None) for UTC times, or "
                        f".dt.tz_localize(None) for local wall-clock times")
    if dtype is not None and dtype.kind in "mM":
        # The column's own unit (no copy); NumPy's coarser units (D, h, m) become seconds, as
        # pandas stores them.
        array = np.asarray(values)
        if np.datetime_data(array.dtype)[0] not in ("s", "ms", "us", "ns"):
            array = array.astype(f"{dtype.kind}8[s]")
        ints = np.ascontiguousarray(array.view(np.int64))
        nat = np.isnat(array)
        return _core.column_from_numpy(str(array.dtype.newbyteorder("=")), ints, ~nat if nat.any() else None)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(dtype, pd.StringDtype):
        # nullable Int64 / Float64 / boolean: NumPy values plus a mask
        array = values.array if hasattr(values, "array") else values
        if hasattr(array, "_data") and hasattr(array, "_mask"):
            data = np.ascontiguousarray(array._data)
            mask = np.asarray(array._mask)
            if data.dtype.kind == "f":
                data = data.copy()
                data[mask] = np.nan
            return _core.column_from_numpy(str(data.dtype), data, ~mask if mask.any() else None)
    if dtype is not None and (dtype == object or isinstance(dtype, pd.StringDtype)):
        return _string_column(values, name)
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        array = np.ascontiguousarray(array)
        if array.dtype.byteorder not in ("=", "|"):
            array = array.astype(array.dtype.newbyteorder("="))
        return _core.column_from_numpy(str(array.dtype), array, None)
    if array.dtype.kind in "US":
        return _string_column(array.astype(object), name)
    raise TypeError(f"column {name!r} has dtype {array.dtype}, which tessera does not store; "
                    f"convert it to a numeric, bool, datetime, string or category dtype")


def pandas_to_table(frame, keep_index=True):
    """A pandas DataFrame (or Series) as an engine table; the index is kept (a RangeIndex too,
    so filtered rows keep their labels) unless `keep_index` is false."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else 0)
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"column names must be unique, got {names}")
    columns = [column_from_pandas(frame.iloc[:, i], names[i]) for i in range(frame.shape[1])]
    index = frame.index
    if not keep_index:
        return _core.make_table(names, columns, None, "")
    if isinstance(index, pd.MultiIndex):
        raise NotImplementedError("a MultiIndex is not supported yet; reset_index() first")
    index_column = column_from_pandas(index, "index")
    return _core.make_table(names, columns, index_column, "" if index.name is None else str(index.name))
