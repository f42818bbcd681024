"""Scalers and feature maps fitted from per-block statistics (Dask-ML's preprocessing names).

Fits combine per-block partial results computed as tasks; ``transform`` keeps the input's kind
(NumPy, pandas, a lazy tessera DataFrame, a chunked array). Inputs must be finite."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._blocks import Blocks, check_n_features, check_width, feature_names, like_input

__all__ = ["StandardScaler", "MinMaxScaler", "RobustScaler", "PolynomialFeatures", "Categorizer", "DummyEncoder",
           "OneHotEncoder"]


def _zeros_to_one(scale):
    """Constant features keep their values (scikit-learn's rule: a scale of ~0 becomes 1)."""
    scale = scale.copy()
    scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0
    return scale


def _moments(x):
    mean = x.mean(axis=0)
    return len(x), mean, ((x - mean) ** 2).sum(axis=0)


def _combine_moments(parts):
    """(rows, mean, sum of squared deviations) of the union (Chan et al.'s pairwise update)."""
    n, mean, m2 = parts[0]
    for nb, meanb, m2b in parts[1:]:
        total = n + nb
        delta = meanb - mean
        mean = mean + delta * (nb / total)
        m2 = m2 + m2b + delta ** 2 * (n * nb / total)
        n = total
    return n, mean, m2


class _Fitted(TransformerMixin, BaseEstimator):
    def _blocks(self, X, fitting):
        blocks = Blocks(X)
        if fitting:
            self.n_features_in_ = blocks.n_features
            names = feature_names(X)
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            check_n_features(self, blocks)
        return blocks

    def _map(self, X, function):
        check_is_fitted(self)
        check_width(self, X)
        names = list(self.feature_names_in_) if hasattr(self, "feature_names_in_") else None
        return like_input(X, function, columns=names)


class StandardScaler(OneToOneFeatureMixin, _Fitted):
    """(X - mean_) / scale_, with mean and variance combined from per-block moments."""

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None):
        blocks = self._blocks(X, fitting=True)
        n, mean, m2 = _combine_moments(blocks.map(_moments, name="moments"))
        self.n_samples_seen_ = int(n)
        self.mean_ = mean if self.with_mean else None
        self.var_ = m2 / n if self.with_std else None
        self.scale_ = _zeros_to_one(np.sqrt(self.var_)) if self.with_std else None
        return self

    def transform(self, X, copy=None):
        mean = self.mean_ if self.with_mean else 0.0
        scale = self.scale_ if self.with_std else 1.0
        return self._map(X, lambda x: (x - mean) / scale)

    def inverse_transform(self, X, copy=None):
        mean = self.mean_ if self.with_mean else 0.0
        scale = self.scale_ if self.with_std else 1.0
        return self._map(X, lambda x: x * scale + mean)


def _min_max(x):
    return x.min(axis=0), x.max(axis=0)


class MinMaxScaler(OneToOneFeatureMixin, _Fitted):
    """Scales each feature to `feature_range` from the per-block minima and maxima."""

    def __init__(self, feature_range=(0, 1), *, copy=True, clip=False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X, y=None):
        low, high = self.feature_range
        if low >= high:
            raise ValueError(f"feature_range must be (min, max) with min < max; got {self.feature_range!r}")
        blocks = self._blocks(X, fitting=True)
        parts = blocks.map(_min_max, name="min-max")
        self.data_min_ = np.min([p[0] for p in parts], axis=0)
        self.data_max_ = np.max([p[1] for p in parts], axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (high - low) / _zeros_to_one(self.data_range_)
        self.min_ = low - self.data_min_ * self.scale_
        self.n_samples_seen_ = blocks.n_rows
        return self

    def transform(self, X):
        low, high = self.feature_range
        scale, offset, clip = self.scale_, self.min_, self.clip
        return self._map(X, lambda x: np.clip(x * scale + offset, low, high) if clip else x * scale + offset)

    def inverse_transform(self, X):
        scale, offset = self.scale_, self.min_
        return self._map(X, lambda x: (x - offset) / scale)


# Quantile points each block contributes to RobustScaler's merged quantile estimate.
_QUANTILE_POINTS = np.linspace(0, 100, 1001)


def _block_quantiles(x):
    return len(x), np.percentile(x, _QUANTILE_POINTS, axis=0)


def _merged_percentile(parts, q):
    """Percentile q of every feature from per-block quantile summaries: each block's summary
    points stand for n_block / 1000 rows each; the weighted points are merged and interpolated."""
    values = np.concatenate([points for _, points in parts], axis=0)
    weights = np.concatenate([np.full(len(points), n / (len(points) - 1)) for n, points in parts])
    out = np.empty(values.shape[1])
    for j in range(values.shape[1]):
        order = np.argsort(values[:, j], kind="stable")
        cumulative = np.cumsum(weights[order]) - 0.5 * weights[order]
        cumulative /= weights.sum()
        out[j] = np.interp(q / 100.0, cumulative, values[order, j])
    return out


class RobustScaler(OneToOneFeatureMixin, _Fitted):
    """(X - median) / (q_high - q_low). Quantiles are exact when X is one block; over several
    blocks each block contributes 1001 quantile points weighted by its row count and the merged
    points are interpolated, so a quantile is off by at most about 1/1000 of a block's rows in
    rank (as Dask-ML's approximate percentiles)."""

    def __init__(self, *, with_centering=True, with_scaling=True, quantile_range=(25.0, 75.0), copy=True,
                 unit_variance=False):
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.copy = copy
        self.unit_variance = unit_variance

    def fit(self, X, y=None):
        low, high = self.quantile_range
        if not 0 <= low <= high <= 100:
            raise ValueError(f"quantile_range must be (low, high) with 0 <= low <= high <= 100; got "
                             f"{self.quantile_range!r}")
        blocks = self._blocks(X, fitting=True)
        if len(blocks) == 1:
            x = blocks.X[0]

            def percentile(q):
                return np.percentile(x, q, axis=0)
        else:
            parts = blocks.map(_block_quantiles, name="quantiles")

            def percentile(q):
                return _merged_percentile(parts, q)
        self.center_ = percentile(50.0) if self.with_centering else None
        if self.with_scaling:
            scale = percentile(high) - percentile(low)
            scale = _zeros_to_one(scale)
            if self.unit_variance:
                from scipy.stats import norm
                scale = scale / (norm.ppf(high / 100.0) - norm.ppf(low / 100.0))
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def transform(self, X):
        center = self.center_ if self.with_centering else 0.0
        scale = self.scale_ if self.with_scaling else 1.0
        return self._map(X, lambda x: (x - center) / scale)

    def inverse_transform(self, X):
        center = self.center_ if self.with_centering else 0.0
        scale = self.scale_ if self.with_scaling else 1.0
        return self._map(X, lambda x: x * scale + center)


class PolynomialFeatures(_Fitted):
    """scikit-learn's PolynomialFeatures, applied block by block."""

    def __init__(self, degree=2, *, interaction_only=False, include_bias=True, order="C"):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias
        self.order = order

    def fit(self, X, y=None):
        from sklearn.preprocessing import PolynomialFeatures as Reference
        self._check_width_known(X)
        self._reference = Reference(self.degree, interaction_only=self.interaction_only,
                                    include_bias=self.include_bias, order=self.order)
        names = feature_names(X)
        self._reference.fit(np.zeros((1, self.n_features_in_)))  # blocks reach it as NumPy
        if names is not None:
            self.feature_names_in_ = names
        self.powers_ = self._reference.powers_
        self.n_output_features_ = self._reference.n_output_features_
        return self

    def _check_width_known(self, X):
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2 and isinstance(shape[1], (int, np.integer)):
            self.n_features_in_ = int(shape[1])
        elif hasattr(X, "columns"):
            self.n_features_in_ = len(X.columns)
        else:
            self.n_features_in_ = Blocks(X).n_features

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "powers_")
        if input_features is None and hasattr(self, "feature_names_in_"):
            input_features = self.feature_names_in_
        return self._reference.get_feature_names_out(input_features)

    def transform(self, X):
        check_is_fitted(self, "powers_")
        check_width(self, X)
        reference = self._reference
        names = list(self.get_feature_names_out())
        return like_input(X, lambda x: reference.transform(x), columns=names)


# -- categorical features -------------------------------------------------------------------------
def _distinct(part, columns):
    return {c: pd.unique(part[c].dropna()) for c in columns}


def _union_of_distinct(X, columns, task_name):
    """{column: sorted distinct non-missing values} over every block (one task per block)."""
    from ..base import compute
    from ..delayed import delayed
    from ._blocks import raw_parts
    task = delayed(_distinct, pure=False, name=task_name)
    found = compute(*[task(p, columns) for p in raw_parts(X, "X")])
    out = {}
    for c in columns:
        values = pd.unique(np.concatenate([np.asarray(f[c], dtype=object) for f in found]))
        try:
            out[c] = sorted(values)
        except TypeError:  # values that do not sort (mixed types) keep their first-seen order
            out[c] = list(values)
    return out


def _frame_columns(X, what):
    if not hasattr(X, "columns") or not hasattr(X, "dtypes"):
        raise TypeError(f"{what} takes a pandas or tessera DataFrame (it works on named columns); got "
                        f"{type(X).__name__}")
    return list(X.columns)


def _apply_to_frame(X, function):
    from ._blocks import _is_tessera
    return X.map_partitions(function) if _is_tessera(X) else function(X)


def _categories_of(part, columns):
    return {c: part[c].dtype for c in columns}


def _block_categories(X, columns):
    """{column: the CategoricalDtype every block shares} of categorical columns."""
    from ..base import compute
    from ..delayed import delayed
    from ._blocks import raw_parts
    task = delayed(_categories_of, pure=False, name="categories")
    found = compute(*[task(p, columns) for p in raw_parts(X, "X")])
    out = {}
    for c in columns:
        kinds = {tuple(f[c].categories) for f in found}
        if len(kinds) != 1:
            raise ValueError(f"column {c!r} has different categories in different partitions; fit a Categorizer "
                             "on the whole frame first so every partition shares them")
        out[c] = found[0][c]
    return out


class Categorizer(TransformerMixin, BaseEstimator):
    """Turns text (object / string) columns, or `columns`, into pandas categoricals whose
    categories are the values seen in every partition (categories= fixes them instead)."""

    def __init__(self, categories=None, columns=None):
        self.categories = categories
        self.columns = columns

    def fit(self, X, y=None):
        names = _frame_columns(X, "Categorizer")
        if self.categories is not None:
            self.categories_ = {c: (v if isinstance(v, pd.CategoricalDtype) else pd.CategoricalDtype(v))
                                for c, v in self.categories.items()}
            self.columns_ = pd.Index(list(self.categories_))
            return self
        dtypes = X.dtypes
        columns = list(self.columns) if self.columns is not None else [
            c for c in names if dtypes[c] == object or pd.api.types.is_string_dtype(dtypes[c])
            or isinstance(dtypes[c], pd.CategoricalDtype)]
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(f"Categorizer columns {missing} are not in X's columns {names[:10]}")
        found = _union_of_distinct(X, columns, "categories")
        self.categories_ = {c: pd.CategoricalDtype(found[c]) for c in columns}
        self.columns_ = pd.Index(columns)
        return self

    def transform(self, X, y=None):
        check_is_fitted(self, "categories_")
        categories = self.categories_
        missing = [c for c in categories if c not in _frame_columns(X, "Categorizer")]
        if missing:
            raise KeyError(f"X lacks the columns {missing} the Categorizer was fitted on")
        return _apply_to_frame(X, lambda part: part.astype(categories))


class DummyEncoder(TransformerMixin, BaseEstimator):
    """One indicator column per category of each categorical column (pandas.get_dummies with
    the fitted categories, so every partition gets the same columns); run a Categorizer first."""

    def __init__(self, columns=None, drop_first=False):
        self.columns = columns
        self.drop_first = drop_first

    def fit(self, X, y=None):
        names = _frame_columns(X, "DummyEncoder")
        dtypes = X.dtypes
        categorical = list(self.columns) if self.columns is not None else [
            c for c in names if isinstance(dtypes[c], pd.CategoricalDtype)]
        bad = [c for c in categorical if not isinstance(dtypes.get(c), pd.CategoricalDtype)]
        if bad:
            raise ValueError(f"DummyEncoder needs categorical columns; {bad} are not (use Categorizer first)")
        self.columns_ = pd.Index(names)
        self.categorical_columns_ = pd.Index(categorical)
        self.non_categorical_columns_ = pd.Index([c for c in names if c not in categorical])
        unknown = [c for c in categorical if dtypes[c].categories is None]  # a lazy frame's meta may not know them
        known = _block_categories(X, unknown) if unknown else {}
        self.dtypes_ = {c: known.get(c, dtypes[c]) for c in categorical}
        dtypes = self.dtypes_
        # pandas.get_dummies' layout: the other columns, then "<column>_<category>" per category
        dummies = [f"{c}_{v}" for c in categorical for v in list(dtypes[c].categories)[int(self.drop_first):]]
        self.transformed_columns_ = pd.Index(list(self.non_categorical_columns_) + dummies)
        return self

    def transform(self, X, y=None):
        check_is_fitted(self, "transformed_columns_")
        categorical, dtypes, drop_first = list(self.categorical_columns_), self.dtypes_, self.drop_first
        if list(_frame_columns(X, "DummyEncoder")) != list(self.columns_):
            raise ValueError(f"X has columns {list(X.columns)[:10]}, the encoder was fitted on "
                             f"{list(self.columns_)[:10]}")
        return _apply_to_frame(X, lambda part: pd.get_dummies(part.astype(dtypes), columns=categorical,
                                                              drop_first=drop_first))


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """scikit-learn's OneHotEncoder with categories found over every block; transform runs
    block by block (a tessera DataFrame gives a lazy frame of float columns named as
    get_feature_names_out; NumPy and pandas give what scikit-learn's encoder gives)."""

    def __init__(self, *, categories="auto", drop=None, sparse_output=True, dtype=np.float64,
                 handle_unknown="error"):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown

    def fit(self, X, y=None):
        from sklearn.preprocessing import OneHotEncoder as Reference
        from ._blocks import _is_tessera
        if self.categories == "auto":
            frame = X if hasattr(X, "columns") else pd.DataFrame(np.asarray(X))
            columns = list(frame.columns)
            found = _union_of_distinct(frame, columns, "categories")
            categories = [np.asarray(found[c]) for c in columns]
        else:
            categories = self.categories
        sample = X.head(1) if _is_tessera(X) else (X.iloc[:1] if hasattr(X, "iloc") else np.asarray(X)[:1])
        self._encoder = Reference(categories=categories, drop=self.drop, sparse_output=self.sparse_output,
                                  dtype=self.dtype, handle_unknown=self.handle_unknown).fit(sample)
        for name in ("categories_", "drop_idx_", "n_features_in_", "feature_names_in_"):
            if hasattr(self._encoder, name):
                setattr(self, name, getattr(self._encoder, name))
        return self

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "categories_")
        return self._encoder.get_feature_names_out(input_features)

    def transform(self, X):
        from ._blocks import _is_tessera
        check_is_fitted(self, "categories_")
        encoder = self._encoder
        if _is_tessera(X):
            names = list(encoder.get_feature_names_out())

            def partition(part):
                out = encoder.transform(part)
                out = out.toarray() if hasattr(out, "toarray") else out
                return pd.DataFrame(out, index=part.index, columns=names)
            return X.map_partitions(partition)
        return encoder.transform(X)

    def inverse_transform(self, X):
        return self._encoder.inverse_transform(X)
