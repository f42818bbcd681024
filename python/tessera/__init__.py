"""tessera: Dask's DataFrame, delayed and futures API over a C++ engine.

    import tessera.dataframe as dd
    df = dd.read_csv("data/*.csv", parse_dates=["tpep_pickup_datetime"]).persist()
    df.groupby(df.passenger_count).tip_amount.mean().compute()
"""

import importlib.util

from . import dataframe, datasets, diagnostics, distributed
from .base import compute, persist, tokenize, visualize
from .delayed import delayed

if importlib.util.find_spec("joblib") is not None:
    from . import joblib as _joblib  # registers joblib's "tessera" backend (scikit-learn's n_jobs)

__version__ = "0.1.0"

__all__ = ["compute", "dataframe", "datasets", "delayed", "diagnostics", "distributed", "persist",
           "tokenize", "visualize"]
