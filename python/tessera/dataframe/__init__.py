"""Lazy partitioned DataFrames with Dask's API: ``import tessera.dataframe as dd``."""

from .core import DataFrame, Index, Scalar, Series
from .groupby import Aggregation
from .io import from_arrow, from_delayed, from_pandas, read_csv, read_parquet, to_csv, to_parquet
from .multi import concat, merge

__all__ = ["Aggregation", "DataFrame", "Index", "Series", "Scalar", "read_csv", "read_parquet", "to_csv", "to_parquet", "from_pandas", "from_arrow",
           "from_delayed", "concat", "merge"]
