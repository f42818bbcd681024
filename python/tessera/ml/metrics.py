"""Metrics as sums over row blocks (one task per block; only the sums reach the driver)."""

from __future__ import annotations

import numpy as np

from ..base import compute
from ..delayed import delayed
from ._blocks import Blocks, raw_parts, sum_results

__all__ = ["accuracy_score", "mean_squared_error", "r2_score", "log_loss"]


def _pairs(y_true, y_pred):
    """Blocks whose X is y_pred (as columns) and y is y_true, aligned row for row."""
    return Blocks(y_pred, y_true, check_finite=False)


def _equal_count(true, pred):
    return int(np.sum(np.asarray(true).ravel() == np.asarray(pred).ravel()))


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Fraction (or, normalize=False, number) of rows where the labels agree; labels of any
    dtype, counted block by block."""
    if sample_weight is not None:
        raise NotImplementedError("sample_weight is not supported by tessera.ml.metrics.accuracy_score")
    true_parts = raw_parts(y_true, "y_true")
    pred_parts = raw_parts(y_pred, "y_pred")
    n = sum(len(p) for p in true_parts)
    if n != sum(len(p) for p in pred_parts):
        raise ValueError(f"y_true and y_pred have different lengths: {n} and {sum(len(p) for p in pred_parts)}")
    if [len(p) for p in true_parts] != [len(p) for p in pred_parts]:  # line the blocks up
        edges = np.cumsum([0] + [len(p) for p in true_parts])
        pred = np.concatenate([np.asarray(p).ravel() for p in pred_parts])
        pred_parts = [pred[a:b] for a, b in zip(edges[:-1], edges[1:])]
    task = delayed(_equal_count, pure=False, name="equal-count")
    correct = sum(compute(*[task(t, p) for t, p in zip(true_parts, pred_parts)]))
    return correct / n if normalize else correct


def _squared_error(pred, true):
    residual = true - pred[:, 0]
    return float(residual @ residual), len(true)


def mean_squared_error(y_true, y_pred, *, sample_weight=None):
    if sample_weight is not None:
        raise NotImplementedError("sample_weight is not supported by tessera.ml.metrics.mean_squared_error")
    blocks = _pairs(y_true, y_pred)
    total, n = sum_results(blocks.map(_squared_error, with_y=True, name="squared-error"))
    return total / n


def _r2_parts(pred, true):
    residual = true - pred[:, 0]
    return float(residual @ residual), float(true.sum()), float(true @ true), len(true)


def r2_score(y_true, y_pred, *, sample_weight=None):
    """1 - SS_res / SS_tot (1.0 when both are 0, 0.0 when only SS_tot is, as scikit-learn)."""
    if sample_weight is not None:
        raise NotImplementedError("sample_weight is not supported by tessera.ml.metrics.r2_score")
    blocks = _pairs(y_true, y_pred)
    blocks.y = [np.asarray(y, dtype=np.float64) for y in blocks.y]
    ss_res, total, squares, n = sum_results(blocks.map(_r2_parts, with_y=True, name="r2-parts"))
    ss_tot = squares - total * total / n
    if ss_tot <= 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1.0 - ss_res / ss_tot


def _log_loss_part(proba, codes, eps):
    if proba.shape[1] == 1:
        proba = np.column_stack([1 - proba[:, 0], proba[:, 0]])
    proba = np.clip(proba, eps, 1 - eps)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return (float(-np.log(proba[np.arange(len(codes)), codes]).sum()), len(codes))


def log_loss(y_true, y_pred, *, normalize=True, labels=None):
    """Mean negative log-likelihood of the true labels under the predicted probabilities
    (columns in the order of the sorted labels, or of `labels`)."""
    blocks = _pairs(y_true, y_pred)
    classes = np.unique(labels) if labels is not None else blocks.classes()
    width = blocks.n_features if blocks.n_features > 1 else 2
    if len(classes) != width:
        raise ValueError(f"y_pred has {width} probability columns but y_true has {len(classes)} labels "
                         f"{classes.tolist()[:10]}; pass labels= with every class in column order")
    codes = [np.searchsorted(classes, y) for y in blocks.y]
    if any(((c >= len(classes)) | (classes[np.minimum(c, len(classes) - 1)] != y)).any()
           for c, y in zip(codes, blocks.y)):
        raise ValueError(f"y_true has labels not in {classes.tolist()[:10]}")
    blocks.y = codes
    eps = np.finfo(np.float64).eps
    total, n = sum_results(blocks.map(_log_loss_part, eps, with_y=True, name="log-loss"))
    return total / n if normalize else total
