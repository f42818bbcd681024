"""The data sets the tutorial and Dask's examples start from."""

from __future__ import annotations

import os

from . import _core
from ._convert import TEXT_DATETIME_UNIT
from .dataframe.core import DataFrame


def timeseries(start="2000-01-01", end="2000-01-31", freq="1s", partition_freq="1D", seed=None, **kwargs):
    """dask.datasets.timeseries(): a timestamp-indexed frame with columns id, name, x and y,
    one partition per ``partition_freq``, generated at compute() (the same seed gives the same
    data)."""
    if kwargs:
        raise TypeError(f"timeseries() got unsupported keyword arguments: {sorted(kwargs)}")
    # The index unit pd.date_range gives, as Dask builds it with date_range.
    return DataFrame(_core.timeseries(str(start), str(end), str(freq), str(partition_freq), int(seed or 0),
                                      TEXT_DATETIME_UNIT))


def taxi(directory, files=6, rows=1_000_000, seed=2015):
    """Writes NYC-yellow-taxi-2015-shaped CSV files (19 columns, one month per file) into
    ``directory`` and returns their paths; read them with
    ``read_csv(directory + '/*.csv', parse_dates=['tpep_pickup_datetime', 'tpep_dropoff_datetime'])``."""
    os.makedirs(directory, exist_ok=True)
    return _core.write_taxi_files(os.fspath(directory), int(files), int(rows), int(seed))
