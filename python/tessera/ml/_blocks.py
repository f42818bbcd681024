"""Row blocks of an estimator's input, and per-block work run as tessera tasks.

Every estimator of tessera.ml reads its input through ``to_blocks``: NumPy arrays and pandas
objects (split into row blocks), tessera DataFrames / Series (one block per partition, computed
from a persisted copy) and chunked arrays (anything with ``.chunks`` and ``.blocks``, as
``tessera.array`` and ``dask.array`` have: one block per row chunk). Per-block work
(``Blocks.map``) runs as one tessera task per block on the scheduler computations use now
(a Client's, when one is running); only the small per-block results (sums, gradients, R
factors) come back to the driver."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import compute
from ..delayed import delayed

# Rows per block when an in-memory array is split (big enough that task overhead is noise).
_ROWS_PER_BLOCK = 100_000


def _is_tessera(value):
    from ..dataframe.core import _Collection
    return isinstance(value, _Collection)


def _is_chunked_array(value):
    return hasattr(value, "chunks") and hasattr(value, "blocks") and not isinstance(value, np.ndarray)


def _scheduler_threads():
    from .. import _core, _scheduler
    handle = _scheduler.current()
    return (handle if handle is not None else _core.Scheduler.default()).num_threads


def _row_bounds(rows, block_rows=None):
    if block_rows is None:
        count = max(1, min(max(1, rows // _ROWS_PER_BLOCK), 4 * _scheduler_threads()))
        if rows >= 2 * _ROWS_PER_BLOCK:
            count = max(count, _scheduler_threads())
    else:
        count = max(1, -(-rows // block_rows))
    edges = np.linspace(0, rows, count + 1).astype(np.int64)
    return list(zip(edges[:-1], edges[1:]))


def _pandas_parts(value, what):
    """Pandas row blocks of a tessera collection (after persisting it, so computing one
    partition reads memory rather than running the whole graph again)."""
    persisted = value.persist()
    return [persisted.partitions[i].compute() for i in range(persisted.npartitions)]


def _chunked_parts(value):
    rows = len(value.chunks[0])
    parts = []
    for i in range(rows):
        block = value.blocks[i]
        parts.append(np.asarray(block.compute() if hasattr(block, "compute") else block))
    return parts


def raw_parts(value, what, block_rows=None):
    """The row blocks of `value` as pandas / NumPy objects, in order."""
    if value is None:
        return None
    if _is_tessera(value):
        return _pandas_parts(value, what)
    if _is_chunked_array(value):
        return _chunked_parts(value)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return [value.iloc[a:b] for a, b in _row_bounds(len(value), block_rows)]
    if isinstance(value, (list, tuple)) or hasattr(value, "__array__"):
        array = np.asarray(value)
        if array.ndim == 0:
            raise TypeError(f"{what} must be an array, a pandas or tessera DataFrame / Series or a chunked array; "
                            f"got a scalar {value!r}")
        return [array[a:b] for a, b in _row_bounds(len(array), block_rows)]
    raise TypeError(f"{what} must be a NumPy array, a pandas or tessera DataFrame / Series or a chunked array "
                    f"(.chunks and .blocks); got {type(value).__name__}")


def _as_matrix(part, what):
    if isinstance(part, pd.Series):
        part = part.to_frame()
    if isinstance(part, pd.DataFrame):
        bad = [c for c in part.columns if not (pd.api.types.is_numeric_dtype(part[c]) or
                                               pd.api.types.is_bool_dtype(part[c]))]
        if bad:
            raise TypeError(f"{what} has non-numeric columns {bad[:5]}; encode them first (tessera.ml.preprocessing."
                            f"Categorizer + DummyEncoder, or OneHotEncoder)")
        matrix = np.ascontiguousarray(part.to_numpy(dtype=np.float64, na_value=np.nan))  # rows for the kernels
    else:
        matrix = np.ascontiguousarray(part, dtype=np.float64)
        if matrix.ndim == 1:
            matrix = matrix.reshape(-1, 1)
        if matrix.ndim != 2:
            raise ValueError(f"{what} must be 2-dimensional (rows x features); got {matrix.ndim} dimensions")
    return matrix


def _as_vector(part, what):
    values = part.to_numpy() if isinstance(part, (pd.Series, pd.DataFrame)) else np.asarray(part)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{what} must be 1-dimensional (one target per row); got shape {values.shape}")
    return values


def feature_names(X):
    """Column names of a frame input (scikit-learn's feature_names_in_), else None."""
    if isinstance(X, pd.DataFrame) or (_is_tessera(X) and hasattr(X, "columns")):
        columns = list(X.columns)
        if all(isinstance(c, str) for c in columns):
            return np.asarray(columns, dtype=object)
    return None


class Blocks:
    """X (and y) as aligned row blocks: X blocks are 2-D float64 NumPy arrays, y blocks 1-D."""

    def __init__(self, X, y=None, *, block_rows=None, check_finite=True):
        x_parts = raw_parts(X, "X", block_rows)
        y_parts = raw_parts(y, "y", block_rows) if y is not None else None
        if y_parts is not None and [len(p) for p in x_parts] != [len(p) for p in y_parts]:
            if sum(len(p) for p in x_parts) != sum(len(p) for p in y_parts):
                raise ValueError(f"X and y have different numbers of rows: {sum(len(p) for p in x_parts)} and "
                                 f"{sum(len(p) for p in y_parts)}")
            y_all = np.concatenate([_as_vector(p, "y") for p in y_parts])
            edges = np.cumsum([0] + [len(p) for p in x_parts])
            y_parts = [y_all[a:b] for a, b in zip(edges[:-1], edges[1:])]
        matrices = compute(*[delayed(_as_matrix, pure=False, name="to-matrix")(p, "X") for p in x_parts]) \
            if len(x_parts) > 1 else [_as_matrix(x_parts[0], "X")]
        keep = [i for i, m in enumerate(matrices) if len(m)] or [0]
        self.X = [matrices[i] for i in keep]
        self.y = None if y_parts is None else [_as_vector(y_parts[i], "y") for i in keep]
        widths = {m.shape[1] for m in self.X}
        if len(widths) != 1:
            raise ValueError(f"X's blocks have different numbers of columns {sorted(widths)}")
        self.n_features = widths.pop()
        self.n_rows = sum(len(m) for m in self.X)
        if self.n_rows == 0:
            raise ValueError("X has no rows; an estimator needs at least one sample")
        if check_finite:
            bad = [i for i, ok in enumerate(self.map(_all_finite, name="check-finite")) if not ok]
            if bad:
                raise ValueError(f"X contains NaN or infinity (in block {bad[0]}); fill or drop those rows first "
                                 "(e.g. df.dropna() or SimpleImputer)")

    def __len__(self):
        return len(self.X)

    def map(self, function, *args, name=None, with_y=False, per_block=None):
        """[function(X_block, [y_block,] [*per_block[i],] *args) for every block], one tessera
        task per block."""
        task = delayed(function, pure=False, name=name or function.__name__.strip("_").replace("_", "-"))
        extra = per_block if per_block is not None else [()] * len(self.X)
        if with_y:
            calls = [task(x, y, *e, *args) for x, y, e in zip(self.X, self.y, extra)]
        else:
            calls = [task(x, *e, *args) for x, e in zip(self.X, extra)]
        return list(compute(*calls))

    def classes(self):
        """The sorted distinct labels of y."""
        return np.unique(np.concatenate([np.unique(y) for y in self.y]))


def _all_finite(x):
    return bool(np.isfinite(x).all())


def check_n_features(estimator, blocks):
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and blocks.n_features != expected:
        raise ValueError(f"X has {blocks.n_features} features, but {type(estimator).__name__} was fitted with "
                         f"{expected} features")


def check_width(estimator, X):
    """The fitted width against X's columns, when X knows them without computing."""
    shape = getattr(X, "shape", None)
    width = shape[1] if shape is not None and len(shape) == 2 else (len(X.columns) if hasattr(X, "columns") else None)
    if isinstance(width, (int, np.integer)) and width != estimator.n_features_in_:
        raise ValueError(f"X has {width} features, but {type(estimator).__name__} was fitted with "
                         f"{estimator.n_features_in_} features")


def sum_results(results):
    """Element-wise sum of per-block tuples of arrays / numbers."""
    total = list(results[0])
    for result in results[1:]:
        for i, value in enumerate(result):
            total[i] = total[i] + value
    return total


def like_input(X, function, columns=None):
    """`function` (a NumPy block -> NumPy block map) applied to X, returned as X's kind: NumPy for
    NumPy, pandas for pandas (same index), a lazy tessera DataFrame for a tessera collection, a
    chunked array (map_blocks) for a chunked array."""
    if _is_tessera(X):
        out_columns = columns

        def partition(part):
            values = function(_as_matrix(part, "X"))
            names = out_columns if out_columns is not None else _default_columns(values.shape[1])
            return pd.DataFrame(values, index=part.index, columns=names)
        return X.map_partitions(partition)
    if _is_chunked_array(X) and hasattr(X, "map_blocks"):
        if len(X.chunks) > 1 and len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        width = function(np.zeros((1, sum(X.chunks[1]) if len(X.chunks) > 1 else 1))).shape[1]
        return X.map_blocks(lambda b: function(np.asarray(b, dtype=np.float64)), dtype=np.float64,
                            chunks=(X.chunks[0], (width,)))
    values = function(_as_matrix(X, "X"))
    if isinstance(X, pd.DataFrame):
        names = columns if columns is not None else _default_columns(values.shape[1])
        return pd.DataFrame(values, index=X.index, columns=names)
    return values


def _default_columns(width):
    return [str(i) for i in range(width)]
