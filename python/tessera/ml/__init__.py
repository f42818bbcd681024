"""tessera.ml: scikit-learn-style estimators over row blocks, with Dask-ML's names.

Estimators take NumPy arrays, pandas and tessera DataFrames / Series and chunked arrays
(``.chunks`` / ``.blocks``); fits combine per-block results computed as tessera tasks, so the
work spreads over the scheduler's threads (or a Client's workers). They follow scikit-learn's
estimator API (get_params / set_params, clone, Pipeline), and fitted attributes are NumPy."""

from . import cluster, decomposition, linear_model, metrics, model_selection, preprocessing, wrappers

__all__ = ["cluster", "decomposition", "linear_model", "metrics", "model_selection", "preprocessing", "wrappers"]
