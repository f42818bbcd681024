"""Sources and sinks with pandas' and Dask's argument names: ``read_csv``, ``to_csv``,
``read_parquet``, ``from_pandas``, ``from_arrow``, ``from_delayed``."""

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


_FILTER_OPS = {"==": "__eq__", "=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
               ">=": "__ge__"}


def _typed_like(text, value):
    """Directory text as the type of the value it is compared with (year=2015 vs 2015)."""
    try:
        return type(value)(text) if isinstance(value, (int, float)) and not isinstance(value, bool) else text
    except ValueError:
        return text


def _filter_term(frame, column, op, value, partitions):
    series = frame[column]
    if column in partitions:
        # Hive columns hold directory text: select the directories whose value passes, compared
        # as the filter value's type, as Dask compares its parsed partition values.
        values = partitions[column]
        if op in ("in", "not in"):
            wanted = {str(v) for v in value}
            kept = [t for t in values if (t in wanted) == (op == "in")]
        elif op in _FILTER_OPS:
            kept = [t for t in values if getattr(_typed_like(t, value), _FILTER_OPS[op])(value) is True]
        else:
            kept = None
        if kept is not None:
            return series.isin(kept)
    if op == "in":
        return series.isin(list(value))
    if op == "not in":
        return ~series.isin(list(value))
    if op in _FILTER_OPS:
        return getattr(series, _FILTER_OPS[op])(value)
    raise ValueError(f"filters: unknown operator {op!r}; use one of {', '.join(list(_FILTER_OPS) + ['in', 'not in'])}")


def _filter_mask(frame, filters, partitions):
    """Dask's filters (a list of (column, op, value) tuples, AND-ed, or a list of such lists,
    OR-ed) as a boolean Series over `frame`."""
    if not filters:
        return None
    groups = filters if isinstance(filters[0], list) else [filters]
    mask = None
    for group in groups:
        conjunction = None
        for item in group:
            if not isinstance(item, tuple) or len(item) != 3:
                raise TypeError(f"filters takes (column, op, value) tuples, got {item!r}")
            term = _filter_term(frame, *item, partitions)
            conjunction = term if conjunction is None else conjunction & term
        mask = conjunction if mask is None else mask | conjunction
    return mask


def _local_paths(path):
    paths = [os.fspath(p) for p in path] if isinstance(path, (list, tuple)) else [os.fspath(path)]
    return [p[len("file://"):] if p.startswith("file://") else p for p in paths]


def read_parquet(path, columns=None, filters=None, categories=None, index=None, storage_options=None,
                 engine="auto", calculate_divisions=False, ignore_metadata_file=False, metadata_task_size=None,
                 split_row_groups="infer", blocksize="default", aggregate_files=None,
                 parquet_file_extension=(".parq", ".parquet", ".pq"), filesystem=None, **kwargs):
    """Parquet files (a path, a glob, a list, or a directory, hive-partitioned
    ``key=value/`` directories included) as a lazy frame with one partition per row group, or
    per group of row groups of about ``blocksize`` bytes (``split_row_groups='infer'``, the
    default; ``True``: one per row group; ``False``: one per file; an int: that many row
    groups). Footers are read now; at compute() only the column chunks of the columns used are
    read, and row groups whose statistics rule out ``filters`` (or a filter applied later) are
    skipped. Hive partition columns come back as categoricals of their directory text.
    ``index``: a column to use as the index (None: the index pandas stored; False: none).
    ``calculate_divisions=True`` gives known divisions from the index column's statistics."""
    if kwargs:
        raise TypeError(f"read_parquet() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if storage_options:
        raise NotImplementedError("read_parquet: storage_options are for remote files, which this build "
                                  "does not read; pass local paths")
    if engine not in ("auto", "pyarrow", "tessera"):
        raise ValueError(f"read_parquet: engine={engine!r} is not available; tessera reads Parquet itself")
    paths = _local_paths(path)
    single = isinstance(columns, str)
    wanted = [columns] if single else (None if columns is None else [str(c) for c in columns])
    if index is False:
        index_name = ""
    elif index is None:
        index_name = None
    else:
        names = _as_list(index)
        if len(names) != 1:
            raise NotImplementedError("read_parquet: index takes one column (tessera has no MultiIndex)")
        index_name = str(names[0])
        if wanted is not None:
            wanted = [c for c in wanted if c != index_name]
    if split_row_groups in ("infer", "adaptive"):
        groups = -1
    elif split_row_groups is True:
        groups = 1
    elif split_row_groups is False:
        groups = 0
    else:
        groups = int(split_row_groups)
        if groups < 1:
            raise ValueError(f"split_row_groups must be True, False, 'infer' or a positive int, got {split_row_groups}")
    if blocksize == "default" or blocksize is None:
        size = 256 << 20
    else:
        size = parse_bytes(blocksize, "blocksize")
    filter_columns = sorted({item[0] for group in (filters or []) for item in
                             (group if isinstance(group, list) else [group])})
    read_columns = wanted
    if wanted is not None:
        read_columns = wanted + [c for c in filter_columns if c not in wanted and c != index_name]
    engine_frame = _core.read_parquet(paths, read_columns or [], index_name, groups, size, bool(calculate_divisions))
    frame = DataFrame(engine_frame)
    mask = _filter_mask(frame, filters, dict(_core.read_parquet_partitions(engine_frame)))
    if mask is not None:
        frame = DataFrame(_core.optimized(frame[mask]._d))
    if wanted is not None and list(frame.columns) != wanted:
        frame = frame[wanted]
    if categories is not None:
        frame = frame.astype({c: "category" for c in _as_list(categories)})
    return frame[wanted[0]] if single else frame


def write_parquet(frame, path, compression, write_index, partition_on, name_function, row_group_size,
                  storage_options):
    """DataFrame.to_parquet: the engine writes every partition's file in its own task."""
    if storage_options:
        raise NotImplementedError("to_parquet: storage_options are for remote files, which this build "
                                  "does not write; pass a local directory")
    directory = os.path.abspath(_local_paths(path)[0])
    os.makedirs(directory, exist_ok=True)
    names = [str(name_function(i)) if name_function else f"part.{i}.parquet" for i in range(frame.npartitions)]
    if len(set(names)) != len(names):
        raise ValueError("name_function must give a different name to every partition")
    codec = "none" if compression is None else str(compression)
    groups = (1 << 20) if row_group_size is None else int(row_group_size)
    return frame._d.to_parquet(directory, names, codec, groups, bool(write_index),
                               [] if partition_on is None else [str(c) for c in _as_list(partition_on)],
                               _scheduler.current())


def to_parquet(df, path, **kwargs):
    """Writes one file per partition into directory `path` and returns the paths."""
    return df.to_parquet(path, **kwargs)


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

