"""Sources and sinks with pandas' and Dask's argument names: ``read_csv``, ``to_csv``,
``from_pandas``, ``from_arrow``, ``from_delayed``."""

from __future__ import annotations

import os
import uuid

import pandas as pd

from .. import _core, _scheduler
from .._convert import TEXT_DATETIME_UNIT, arrow_to_table, pandas_to_table, to_engine_scalar
from ..base import compute, parse_bytes
from .core import DataFrame, Series, _as_list, _engine_dtype
from .partition_functions import _meta_to_pandas
from .shape import Shape, ShapedFrame
from ._storage import is_url, normalize_storage_options

def read_csv(urlpath, blocksize="default", parse_dates=None, dtype=None, usecols=None, header="infer",
             names=None, na_values=None, delimiter=None, storage_options=None, **kwargs) -> DataFrame:
    """CSV files (a path, a glob such as ``'data/*.csv'``, or a list of them; local, ``file://``,
    ``s3://``, ``gs://`` or ``http(s)://`` with ``storage_options``) as a lazy frame with
    one partition per block of ``blocksize`` bytes (64 MiB by default; ``None`` = one partition
    per file). Types are inferred from samples of every file now; rows are parsed at compute().

    The arguments named here are translated from pandas' and Dask's spellings; every other
    keyword (``sep``, ``date_format``, ``nrows``, ...) goes to the engine's reader unchanged,
    which lists the options it takes and rejects the rest by name."""
    paths = [os.fspath(p) for p in urlpath] if isinstance(urlpath, (list, tuple)) else [os.fspath(urlpath)]
    options = dict(kwargs)
    if blocksize is None:
        options["blocksize"] = 1 << 30  # the largest block: one partition per file up to 1 GiB
    elif blocksize != "default":
        options["blocksize"] = parse_bytes(blocksize, "blocksize")
    if parse_dates is not None:
        if parse_dates is True or isinstance(parse_dates, dict):
            raise TypeError("parse_dates takes a list of column names")
        options["parse_dates"] = _as_list(parse_dates)
        options["date_unit"] = TEXT_DATETIME_UNIT  # the unit pandas.read_csv gives them
    if dtype is not None:
        if not isinstance(dtype, dict):
            raise TypeError("dtype takes a {column: dtype} dict")
        options["dtype"] = {str(k): _engine_dtype(v) for k, v in dtype.items()}
    if usecols is not None:
        if callable(usecols) or any(not isinstance(c, str) for c in usecols):
            raise TypeError("usecols takes a list of column names")
        options["usecols"] = list(usecols)
    if names is not None:
        options["names"] = [str(n) for n in names]
    if header is None or (header == "infer" and names is not None):
        options["header"] = -1  # pandas: names= without header= means the files have no header
    elif header != "infer":
        options["header"] = int(header)
    if na_values is not None:
        options["na_values"] = _as_list(na_values)
    if delimiter is not None:
        options["sep"] = delimiter
    if storage_options is not None:
        options["storage_options"] = normalize_storage_options(storage_options)
    engine = _core.read_csv(paths, options)
    if _core.read_csv_found_no_rows(engine):
        # Header-only files: pandas gives object columns, except where dtype= declares one.
        declared = set(options.get("dtype", {}))
        return ShapedFrame(engine, Shape(objects=[c for c in engine.columns if c not in declared]))
    return DataFrame(engine)


def write_csv(frame, filename, index, sep, na_rep, name_function, storage_options=None):
    """DataFrame.to_csv: the engine writes every partition in parallel (numbered files). With a
    name_function, local files are written under temporary names first and then renamed, so a
    new name never overwrites a file not yet renamed; objects on a store (which cannot be
    renamed) are written under their names directly."""
    storage = normalize_storage_options(storage_options)
    remote = is_url(filename)
    if "*" not in filename or name_function is None:
        paths = frame._d.to_csv(filename, index, sep, na_rep, storage, [], _scheduler.current())
        return paths if remote else [os.path.abspath(_local(p)) for p in paths]
    if remote:
        names = [str(name_function(number)) for number in range(frame.npartitions)]
        return frame._d.to_csv(filename, index, sep, na_rep, storage, names, _scheduler.current())
    filename = _local(filename)
    directory = os.path.dirname(os.path.abspath(filename))
    temporary = os.path.join(directory, f".tessera-{uuid.uuid4().hex}-*.csv")
    written = frame._d.to_csv(temporary, index, sep, na_rep, storage, [], _scheduler.current())
    paths = []
    for number, path in enumerate(written):
        final = os.path.abspath(filename.replace("*", str(name_function(number))))
        os.replace(path, final)
        paths.append(final)
    return paths


def _local(path):
    """A local path from a path or a file:// URL."""
    if path.lower().startswith("file://"):
        path = path[len("file://"):]
        return path[len("localhost"):] if path.startswith("localhost/") else path
    return path


def to_csv(df, filename, **kwargs):
    """Writes one file per partition (``'out/part-*.csv'``) and returns the paths."""
    return df.to_csv(filename, **kwargs)


def from_pandas(data, npartitions=None, chunksize=None, sort=True):
    """A pandas DataFrame or Series split into partitions (sorted by index first, as Dask does,
    so divisions are known). Numeric columns are taken without a copy."""
    if not isinstance(data, (pd.DataFrame, pd.Series)):
        raise TypeError(f"from_pandas takes a pandas DataFrame or Series, got {type(data).__name__}")
    if npartitions is None and chunksize is None:
        npartitions = 1
    if chunksize is not None:
        npartitions = max(1, -(-len(data) // int(chunksize)))
    if int(npartitions) < 1:
        raise ValueError(f"npartitions must be at least 1, got {npartitions}")
    table = pandas_to_table(data)
    frame = DataFrame(_core.from_table(table, int(npartitions), bool(sort)))
    if isinstance(data, pd.Series):
        column = frame._d.columns[0]
        series = Series(frame._d.column(column))
        return series if data.name is not None else Series(series._d.rename(""))
    return frame


def from_arrow(data, npartitions=1):
    """Anything speaking the Arrow C stream interface (pyarrow, Polars, DuckDB results), split
    into `npartitions` row ranges; numeric, timestamp and string columns are not copied."""
    return DataFrame(_core.from_table(arrow_to_table(data), int(npartitions), False))


def from_delayed(dfs, meta=None, divisions=None, verify_meta=True):
    """Delayed pandas DataFrames as partitions: computed now (in parallel) and kept in memory."""
    parts = compute(*dfs)
    tables = [pandas_to_table(p) for p in parts]
    if meta is not None:
        expected = _meta_to_pandas(meta)
        for i, p in enumerate(parts):
            if list(p.columns) != list(expected.columns):
                raise ValueError(f"partition {i} has columns {list(p.columns)}, meta says {list(expected.columns)}")
    engine_divisions = None if divisions is None else [to_engine_scalar(d) for d in divisions]
    return DataFrame(_core.from_tables(tables, engine_divisions))

