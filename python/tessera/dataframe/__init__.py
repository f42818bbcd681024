"""Lazy partitioned DataFrames with Dask's API: ``import tessera.dataframe as dd``."""

from .conversions import to_datetime, to_numeric
from .core import DataFrame, Index, Scalar, Series
from .groupby import Aggregation
from .io import from_arrow, from_delayed, from_pandas, read_csv, read_parquet, to_csv, to_parquet
from .multi import concat, merge
from .reshape import melt

__all__ = ["Aggregation", "DataFrame", "Index", "Series", "Scalar", "read_csv", "read_parquet", "to_csv", "to_parquet",
           "from_pandas", "from_arrow", "from_delayed", "concat", "merge", "melt", "to_datetime", "to_numeric"]
