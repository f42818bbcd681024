"""Lazy partitioned DataFrames with Dask's API: ``import tessera.dataframe as dd``."""

from .core import DataFrame, Index, Scalar, Series, concat, from_arrow, from_delayed, from_pandas, merge
from .io import read_csv, to_csv

__all__ = ["DataFrame", "Index", "Series", "Scalar", "read_csv", "to_csv", "from_pandas", "from_arrow",
           "from_delayed", "concat", "merge"]
