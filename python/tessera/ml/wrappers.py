"""Meta-estimators for any scikit-learn estimator over row blocks.

ParallelPostFit: fit as usual (on data that fits in memory, or a sample); predict,
predict_proba, predict_log_proba, decision_function, transform and score run block by block,
one task per block. Incremental: fit calls the estimator's partial_fit on each block in turn
(each call one task, in order). Blocks of a frame reach the estimator as pandas frames, so
column names and dtypes stay as the estimator was fitted with."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.utils.validation import check_is_fitted

from ..base import compute
from ..delayed import delayed
from ._blocks import raw_parts

__all__ = ["ParallelPostFit", "Incremental"]


def _call(estimator, method, part):
    return getattr(estimator, method)(part)


def _stack(results):
    first = results[0]
    if isinstance(first, (pd.DataFrame, pd.Series)):
        return pd.concat(results)
    if hasattr(first, "tocsr"):  # sparse blocks (one-hot encoders)
        from scipy import sparse
        return sparse.vstack(results).tocsr()
    return np.concatenate([np.asarray(r) for r in results])


class ParallelPostFit(MetaEstimatorMixin, BaseEstimator):
    """Wraps `estimator`; predictions and transforms run in parallel over X's blocks.

    scoring: a scikit-learn scorer name or callable for ``score`` (default: the estimator's
    own score; accuracy for classifiers and R^2 for regressors are summed over blocks)."""

    def __init__(self, estimator=None, scoring=None):
        self.estimator = estimator
        self.scoring = scoring

    def fit(self, X, y=None, **fit_params):
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self._copy_fitted()
        return self

    def partial_fit(self, X, y=None, **fit_params):
        if not hasattr(self, "estimator_"):
            self.estimator_ = clone(self.estimator)
        self.estimator_.partial_fit(X, y, **fit_params)
        self._copy_fitted()
        return self

    def _copy_fitted(self):
        for name in ("classes_", "n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))

    def _blockwise(self, method, X):
        check_is_fitted(self, "estimator_")
        if not hasattr(self.estimator_, method):
            raise AttributeError(f"{type(self.estimator_).__name__} has no {method}()")
        parts = raw_parts(X, "X")
        task = delayed(_call, pure=False, name=method.replace("_", "-"))
        return _stack(list(compute(*[task(self.estimator_, method, p) for p in parts])))

    def predict(self, X):
        return self._blockwise("predict", X)

    def predict_proba(self, X):
        return self._blockwise("predict_proba", X)

    def predict_log_proba(self, X):
        return self._blockwise("predict_log_proba", X)

    def decision_function(self, X):
        return self._blockwise("decision_function", X)

    def transform(self, X):
        return self._blockwise("transform", X)

    def score(self, X, y):
        check_is_fitted(self, "estimator_")
        if self.scoring is None:
            from .metrics import accuracy_score, r2_score
            if is_classifier(self.estimator_):
                return accuracy_score(y, self.predict(X))
            if getattr(self.estimator_, "_estimator_type", None) == "regressor" or hasattr(self.estimator_, "predict"):
                return r2_score(y, self.predict(X))
        from sklearn.metrics import check_scoring
        scorer = check_scoring(self.estimator_, scoring=self.scoring)
        gathered = [_stack(raw_parts(v, name)) for v, name in ((X, "X"), (y, "y"))]
        return scorer(self.estimator_, *gathered)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            inner = self.estimator.__sklearn_tags__()
            tags.estimator_type = inner.estimator_type
        return tags


def _partial_fit(estimator, x, y, fit_params):
    return estimator.partial_fit(x, y, **fit_params)


class Incremental(ParallelPostFit):
    """Fits `estimator` (one with partial_fit) one block at a time, in order (or, with
    shuffle_blocks=True, in an order drawn from random_state), each call one task; predictions
    as ParallelPostFit. Pass partial_fit's arguments (e.g. ``classes=``) to fit."""

    def __init__(self, estimator=None, scoring=None, shuffle_blocks=True, random_state=None):
        super().__init__(estimator=estimator, scoring=scoring)
        self.shuffle_blocks = shuffle_blocks
        self.random_state = random_state

    def _fit_blocks(self, model, X, y, fit_params):
        if not hasattr(model, "partial_fit"):
            raise ValueError(f"Incremental needs an estimator with partial_fit; {type(model).__name__} has none")
        x_parts = raw_parts(X, "X")
        y_parts = raw_parts(y, "y") if y is not None else [None] * len(x_parts)
        if [len(p) for p in x_parts] != [len(p) for p in y_parts if p is not None] and y is not None:
            raise ValueError("X and y must have the same blocks (same number of rows in each partition / chunk)")
        order = np.arange(len(x_parts))
        if self.shuffle_blocks:
            np.random.default_rng(self.random_state).shuffle(order)
        step = delayed(_partial_fit, pure=False, name="partial-fit")
        fitted = model
        for i in order:
            fitted = step(fitted, x_parts[i], y_parts[i], fit_params)
        (model,) = compute(fitted)
        return model

    def fit(self, X, y=None, **fit_params):
        self.estimator_ = self._fit_blocks(clone(self.estimator), X, y, fit_params)
        self._copy_fitted()
        return self

    def partial_fit(self, X, y=None, **fit_params):
        model = self.estimator_ if hasattr(self, "estimator_") else clone(self.estimator)
        self.estimator_ = self._fit_blocks(model, X, y, fit_params)
        self._copy_fitted()
        return self
