"""read_csv and to_csv with pandas' and Dask's argument names."""

from __future__ import annotations

import os

from .. import _core
from .._convert import TEXT_DATETIME_UNIT
from .core import DataFrame, _as_list, _engine_dtype, _parse_bytes

_PASSED_THROUGH = ("sep", "names", "usecols", "date_format", "keep_default_na", "quotechar", "skiprows",
                   "nrows", "comment", "encoding", "compression", "skip_blank_lines")


def read_csv(urlpath, blocksize="default", parse_dates=None, dtype=None, usecols=None, header="infer",
             na_values=None, delimiter=None, **kwargs) -> DataFrame:
    """CSV files (a path, a glob such as ``'data/*.csv'``, or a list of them) as a lazy frame with
    one partition per block of ``blocksize`` bytes (64 MiB by default; ``None`` = one partition
    per file). Types are inferred from samples of every file now; rows are parsed at compute()."""
    paths = [os.fspath(p) for p in urlpath] if isinstance(urlpath, (list, tuple)) else [os.fspath(urlpath)]
    options = {}
    if blocksize is None:
        options["blocksize"] = 1 << 30  # the largest block: one partition per file up to 1 GiB
    elif blocksize != "default":
        options["blocksize"] = _parse_bytes(blocksize)
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
    if header is None or (header == "infer" and kwargs.get("names") is not None):
        options["header"] = -1  # pandas: names= without header= means the files have no header
    elif header != "infer":
        options["header"] = int(header)
    if na_values is not None:
        options["na_values"] = _as_list(na_values)
    if delimiter is not None:
        options["sep"] = delimiter
    for name in list(kwargs):
        if name in _PASSED_THROUGH:
            value = kwargs.pop(name)
            options[name] = list(value) if name in ("names", "usecols") else value
    if kwargs:
        raise TypeError(f"read_csv() got unsupported keyword arguments: {sorted(kwargs)}")
    return DataFrame(_core.read_csv(paths, options))


def to_csv(df, filename, **kwargs):
    """Writes one file per partition (``'out/part-*.csv'``) and returns the paths."""
    return df.to_csv(filename, **kwargs)
