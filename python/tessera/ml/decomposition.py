"""PCA and TruncatedSVD by a tall-and-skinny QR: every block's R factor (a task each), one QR
of the stacked R factors and the SVD of the small p x p result, all with NumPy's LAPACK. Exact
(not randomized), so results equal scikit-learn's full SVD up to rounding."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.extmath import svd_flip
from sklearn.utils.validation import check_is_fitted

from ._blocks import Blocks, check_width, feature_names, like_input
from .linear_model import tsqr_r

__all__ = ["PCA", "TruncatedSVD"]


def _centered_r(x, mean):
    return np.linalg.qr(x - mean, mode="r")


def _column_sums(x):
    return x.sum(axis=0), (x * x).sum(axis=0)


def _singular(R):
    _, s, vt = np.linalg.svd(R, full_matrices=False)
    u_dummy = np.zeros((1, len(s)))
    _, vt = svd_flip(u_dummy, vt, u_based_decision=False)
    return s, vt


class _TSQR(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    def _fit_blocks(self, X):
        blocks = Blocks(X)
        self.n_features_in_ = blocks.n_features
        names = feature_names(X)
        if names is not None:
            self.feature_names_in_ = names
        self.n_samples_ = blocks.n_rows
        return blocks

    def _components_count(self, blocks, default):
        n = self.n_components if self.n_components is not None else default
        limit = min(blocks.n_rows, blocks.n_features)
        if not isinstance(n, numbers.Integral) or not 1 <= n <= limit:
            raise ValueError(f"n_components must be an integer between 1 and min(n_samples, n_features)={limit}; "
                             f"got {self.n_components!r}")
        return int(n)

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def _project(self, X, offset):
        check_is_fitted(self, "components_")
        check_width(self, X)
        components = self.components_
        scale = np.sqrt(self.explained_variance_) if getattr(self, "whiten", False) else 1.0
        names = list(self.get_feature_names_out())
        return like_input(X, lambda x: ((x - offset) @ components.T) / scale, columns=names)


class PCA(_TSQR):
    """Principal components of the centred data (svd_solver is always 'tsqr', exact)."""

    def __init__(self, n_components=None, *, whiten=False, svd_solver="tsqr", random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state

    def fit(self, X, y=None):
        if self.svd_solver not in ("tsqr", "full", "auto"):
            raise ValueError(f"svd_solver must be 'tsqr' (exact, over blocks); got {self.svd_solver!r}")
        blocks = self._fit_blocks(X)
        k = self._components_count(blocks, min(blocks.n_rows, blocks.n_features))
        totals = blocks.map(_column_sums, name="column-sums")
        self.mean_ = sum(t[0] for t in totals) / blocks.n_rows
        parts = blocks.map(_centered_r, self.mean_, name="qr-block")
        R = np.linalg.qr(np.vstack(parts), mode="r") if len(parts) > 1 else parts[0]
        s, vt = _singular(R)
        variance = s ** 2 / (blocks.n_rows - 1)
        self.components_ = vt[:k]
        self.singular_values_ = s[:k]
        self.explained_variance_ = variance[:k]
        total = variance.sum()
        self.explained_variance_ratio_ = variance[:k] / total if total > 0 else np.zeros(k)
        self.noise_variance_ = float(variance[k:].mean()) if k < len(variance) else 0.0
        self.n_components_ = k
        return self

    def transform(self, X):
        return self._project(X, self.mean_)

    def inverse_transform(self, X):
        check_is_fitted(self, "components_")
        scale = np.sqrt(self.explained_variance_)[:, None] if self.whiten else 1.0
        components, mean = self.components_, self.mean_
        return like_input(X, lambda z: z @ (components * scale) + mean,
                          columns=list(self.feature_names_in_) if hasattr(self, "feature_names_in_") else None)


class TruncatedSVD(_TSQR):
    """SVD of the (uncentred) data, keeping n_components (algorithm is always 'tsqr', exact)."""

    def __init__(self, n_components=2, *, algorithm="tsqr", random_state=None):
        self.n_components = n_components
        self.algorithm = algorithm
        self.random_state = random_state

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        if self.algorithm not in ("tsqr", "arpack", "randomized"):
            raise ValueError(f"algorithm must be 'tsqr' (exact, over blocks); got {self.algorithm!r}")
        blocks = self._fit_blocks(X)
        k = self._components_count(blocks, 2)
        s, vt = _singular(tsqr_r(blocks))
        self.components_ = vt[:k]
        self.singular_values_ = s[:k]
        totals = blocks.map(_column_sums, name="column-sums")
        n = blocks.n_rows
        sums, squares = sum(t[0] for t in totals), sum(t[1] for t in totals)
        full_variance = (squares - sums ** 2 / n) / n
        # the projections' variances: ||X v||^2 / n - (mean(X) . v)^2
        mean = sums / n
        self.explained_variance_ = s[:k] ** 2 / n - (self.components_ @ mean) ** 2
        self.explained_variance_ratio_ = self.explained_variance_ / full_variance.sum()
        return self.transform(X)

    def transform(self, X):
        return self._project(X, 0.0)

    def inverse_transform(self, X):
        check_is_fitted(self, "components_")
        components = self.components_
        return like_input(X, lambda z: z @ components)
