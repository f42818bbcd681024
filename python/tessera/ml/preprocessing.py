"""Scalers and feature maps fitted from per-block statistics (Dask-ML's preprocessing names).

Fits combine per-block partial results computed as tasks; ``transform`` keeps the input's kind
(NumPy, pandas, a lazy tessera DataFrame, a chunked array). Inputs must be finite."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._blocks import Blocks, check_n_features, check_width, feature_names, like_input

__all__ = ["StandardScaler", "MinMaxScaler", "RobustScaler", "PolynomialFeatures"]


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
