"""Linear models solved over row blocks (Dask-ML's linear_model names).

Each solver step sends the current coefficients to one task per block; a task returns its
block's loss, gradient (and, for Newton's method, Hessian) and the driver combines them and
takes the step with scipy.optimize. The objective is scikit-learn's, scaled by 1/n:

    (1/n) sum(loss_i) + (1 - r) / (2 C n) ||w||^2 + r / (C n) ||w||_1

with r = 0 for penalty="l2", 1 for "l1", l1_ratio for "elasticnet" (no penalty for None);
the intercept is not penalised, so fitted coefficients equal scikit-learn's for the same C.
L1 terms are solved exactly by L-BFGS-B on w = w+ - w- (w+, w- >= 0)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .. import _core
from ._blocks import Blocks, check_n_features, feature_names

__all__ = ["LinearRegression", "LogisticRegression", "PoissonRegression"]


# -- per-block kernels (run as tasks; the loss-and-gradient passes are C++, tessera::ml) --------
def _binary_logistic(x, y, W, b):
    loss, grad_w, grad_b = _core.ml_logistic_loss_gradient(x, y, W[0], float(b[0]))
    return loss, grad_w, np.array([grad_b])


def _multinomial_logistic(x, y, W, b):
    return _core.ml_multinomial_loss_gradient(x, y, W, b)


def _poisson(x, y, W, b):
    loss, grad_w, grad_b = _core.ml_poisson_loss_gradient(x, y, W[0], float(b[0]))
    return loss, grad_w, np.array([grad_b])


def _binary_logistic_hessian(x, y, W, b):
    p = expit(x @ W[0] + b[0])
    return _weighted_gram(x, p * (1.0 - p))


def _multinomial_logistic(x, y, W, b):
    z = x @ W.T + b
    normaliser = logsumexp(z, axis=1)
    rows = np.arange(len(y))
    loss = float(np.sum(normaliser - z[rows, y]))
    p = np.exp(z - normaliser[:, None])
    p[rows, y] -= 1.0
    return loss, p.T @ x, p.sum(axis=0)


def _poisson_hessian(x, y, W, b):
    return _weighted_gram(x, np.exp(x @ W[0] + b[0]))


def _weighted_gram(x, s):
    """[x 1]' diag(s) [x 1]."""
    xs = x * s[:, None]
    p = x.shape[1]
    out = np.empty((p + 1, p + 1))
    out[:p, :p] = x.T @ xs
    out[:p, p] = out[p, :p] = xs.sum(axis=0)
    out[p, p] = s.sum()
    return out


def _r_factor(x, y=None):
    """R of the QR factorisation of [x 1 y] (or of x alone): the block's whole contribution
    to a least-squares fit, in a p x p matrix."""
    columns = [x] if y is None else [x, np.ones((len(x), 1)), y[:, None]]
    return np.linalg.qr(np.hstack(columns) if len(columns) > 1 else x, mode="r")


def tsqr_r(blocks, with_y=False):
    """R of the stacked blocks (tall-and-skinny QR: one QR per block as tasks, then one of the
    stacked R factors)."""
    parts = blocks.map(_r_factor, name="qr-block", with_y=with_y)
    stacked = np.vstack(parts)
    return np.linalg.qr(stacked, mode="r") if len(parts) > 1 else stacked


# -- the solver --------------------------------------------------------------------------------
class _Problem:
    """A penalised GLM objective over blocks; coefficients W (k x p) and intercepts b (k)."""

    def __init__(self, blocks, kernel, hessian, k, penalty, C, l1_ratio, fit_intercept):
        self.blocks, self.kernel, self.hessian = blocks, kernel, hessian
        self.k, self.p, self.n = k, blocks.n_features, blocks.n_rows
        self.fit_intercept = fit_intercept
        if penalty is None or penalty == "none":
            self.l1 = self.l2 = 0.0
        else:
            if not C > 0:
                raise ValueError(f"C must be a positive number (inverse of the penalty strength); got {C!r}")
            r = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio}[penalty]
            self.l1 = r / (C * self.n)
            self.l2 = (1.0 - r) / (C * self.n)

    def smooth(self, W, b):
        """Loss / n + the L2 term, and its gradients (W, b)."""
        W, b = np.ascontiguousarray(W), np.ascontiguousarray(b)
        parts = self.blocks.map(self.kernel, W, b, with_y=True, name=_task_name(self.kernel))
        loss = sum(p[0] for p in parts)
        gW = sum(p[1] for p in parts) / self.n + self.l2 * W
        gb = sum(p[2] for p in parts) / self.n if self.fit_intercept else np.zeros(self.k)
        return loss / self.n + 0.5 * self.l2 * float(np.sum(W * W)), gW, gb

    def solve(self, solver, max_iter, tol, W0=None, b0=None):
        W0 = np.zeros((self.k, self.p)) if W0 is None else W0
        b0 = np.zeros(self.k) if b0 is None else b0
        if solver == "newton":
            if self.hessian is None or self.l1 > 0:
                raise ValueError("solver='newton' needs a smooth penalty ('l2' or None) and one coefficient vector "
                                 "(binary logistic, Poisson); use solver='lbfgs'")
            return self._newton(W0, b0, max_iter, tol)
        if solver != "lbfgs":
            raise ValueError(f"solver must be 'lbfgs' or 'newton'; got {solver!r}")
        return self._lbfgs(W0, b0, max_iter, tol)

    def _lbfgs(self, W0, b0, max_iter, tol):
        size = self.k * self.p
        if self.l1 > 0:  # w = w+ - w-, both >= 0: a smooth, bound-constrained problem
            def unpack(theta):
                return (theta[:size] - theta[size:2 * size]).reshape(self.k, self.p), theta[2 * size:]

            def objective(theta):
                W, b = unpack(theta)
                value, gW, gb = self.smooth(W, b)
                g = gW.ravel()
                value += self.l1 * float(theta[:2 * size].sum())
                return value, np.concatenate([g + self.l1, -g + self.l1, gb])
            theta0 = np.concatenate([np.maximum(W0, 0).ravel(), np.maximum(-W0, 0).ravel(), b0])
            bounds = [(0, None)] * (2 * size) + [(None, None)] * self.k
            # steps along the bounds reduce the objective by tiny amounts long before the
            # optimum: stop on the projected gradient only
            ftol = 0.0
        else:
            def unpack(theta):
                return theta[:size].reshape(self.k, self.p), theta[size:]

            def objective(theta):
                value, gW, gb = self.smooth(*unpack(theta))
                return value, np.concatenate([gW.ravel(), gb])
            theta0 = np.concatenate([W0.ravel(), b0])
            bounds = None
            ftol = 64 * np.finfo(float).eps  # scikit-learn's setting
        result = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                                   options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                                            "ftol": ftol})
        if not result.success and result.nit >= max_iter:
            warnings.warn(f"L-BFGS did not converge in {max_iter} iterations; raise max_iter or scale the data",
                          ConvergenceWarning, stacklevel=4)
        W, b = unpack(result.x)
        return W, b, int(result.nit)

    def _newton(self, W, b, max_iter, tol):
        """Newton's method with a backtracking line search (Hessians summed over blocks)."""
        value, gW, gb = self.smooth(W, b)
        for iteration in range(1, max_iter + 1):
            gradient = np.concatenate([gW[0], gb])
            hessian = sum(self.blocks.map(self.hessian, W, b, with_y=True, name=_task_name(self.hessian))) / self.n
            hessian[:self.p, :self.p] += self.l2 * np.eye(self.p)
            if not self.fit_intercept:
                hessian[self.p, :] = hessian[:, self.p] = 0.0
                hessian[self.p, self.p] = 1.0
            step = np.linalg.solve(hessian, gradient)
            t = 1.0
            while True:
                W_new = W - t * step[None, :self.p]
                b_new = b - t * step[self.p:]
                value_new, gW_new, gb_new = self.smooth(W_new, b_new)
                if value_new <= value - 1e-4 * t * gradient @ step or t < 1e-10:
                    break
                t *= 0.5
            W, b, value, gW, gb = W_new, b_new, value_new, gW_new, gb_new
            if np.max(np.abs(np.concatenate([gW[0], gb]))) <= tol:
                return W, b, iteration
        warnings.warn(f"Newton's method did not converge in {max_iter} iterations", ConvergenceWarning, stacklevel=4)
        return W, b, max_iter


def _task_name(kernel):
    return kernel.__name__.strip("_").replace("_", "-")


def _linear(x, W, b):
    return x @ W.T + b


class _LinearModel(BaseEstimator):
    def _fit_blocks(self, X, y):
        blocks = Blocks(X, y)
        self.n_features_in_ = blocks.n_features
        names = feature_names(X)
        if names is not None:
            self.feature_names_in_ = names
        return blocks

    def _decision(self, X):
        check_is_fitted(self, "coef_")
        blocks = Blocks(X)
        check_n_features(self, blocks)
        W = np.atleast_2d(self.coef_)
        b = np.atleast_1d(self.intercept_)
        return np.concatenate(blocks.map(_linear, W, b, name="predict"))


class _PenalizedModel(_LinearModel):
    """The parameters and penalty checks of the models fitted by minimising a penalised loss."""

    def __init__(self, penalty="l2", *, C=1.0, l1_ratio=0.5, fit_intercept=True, solver="lbfgs", max_iter=100,
                 tol=1e-4):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    def _check_penalty(self):
        if self.penalty not in ("l2", "l1", "elasticnet", None, "none"):
            raise ValueError(f"penalty must be 'l2', 'l1', 'elasticnet' or None; got {self.penalty!r}")
        if self.penalty == "elasticnet" and not 0 <= self.l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be in [0, 1]; got {self.l1_ratio!r}")


class LinearRegression(RegressorMixin, _LinearModel):
    """Ordinary least squares (no penalty, as scikit-learn's LinearRegression), solved exactly
    by a tall-and-skinny QR of [X 1 y] over the blocks."""

    def __init__(self, *, fit_intercept=True):
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        blocks = self._fit_blocks(X, y)
        R = tsqr_r(blocks, with_y=True)
        p = blocks.n_features
        columns = list(range(p)) + ([p] if self.fit_intercept else [])
        # least squares of the small system R[:, cols] beta = R[:, y]
        solution, *_ = np.linalg.lstsq(R[:, columns], R[:, p + 1], rcond=None)
        self.coef_ = solution[:p]
        self.intercept_ = float(solution[p]) if self.fit_intercept else 0.0
        return self

    def predict(self, X):
        return self._decision(X)[:, 0]

    def score(self, X, y, sample_weight=None):
        from .metrics import r2_score
        return r2_score(y, self.predict(X))


class LogisticRegression(ClassifierMixin, _PenalizedModel):
    """Binary and multinomial logistic regression with L2, L1 or elastic-net penalties.

    solver: 'lbfgs' (any penalty; L1 parts by the bound-constrained split) or 'newton' (binary,
    'l2' or None). Coefficients equal scikit-learn's LogisticRegression for the same C and
    l1_ratio within the solvers' tolerance."""

    def fit(self, X, y):
        self._check_penalty()
        blocks = self._fit_blocks(X, y)
        self.classes_ = blocks.classes()
        if len(self.classes_) < 2:
            raise ValueError(f"y needs at least 2 classes to fit a classifier; it has only {self.classes_.tolist()}")
        codes = [np.searchsorted(self.classes_, yb) for yb in blocks.y]
        binary = len(self.classes_) == 2
        blocks.y = [c.astype(np.float64) for c in codes] if binary else [c.astype(np.int64) for c in codes]
        problem = _Problem(blocks, _binary_logistic if binary else _multinomial_logistic,
                           _binary_logistic_hessian if binary else None, 1 if binary else len(self.classes_),
                           self.penalty, self.C, self.l1_ratio, self.fit_intercept)
        W, b, iterations = problem.solve(self.solver, self.max_iter, self.tol)
        self.coef_, self.intercept_ = W, b
        self.n_iter_ = np.array([iterations])
        return self

    def decision_function(self, X):
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        scores = self._decision(X)
        if scores.shape[1] == 1:
            p = expit(scores[:, 0])
            return np.column_stack([1 - p, p])
        return np.exp(scores - logsumexp(scores, axis=1)[:, None])

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        scores = self._decision(X)
        picked = (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
        return self.classes_[picked]

    def score(self, X, y, sample_weight=None):
        from .metrics import accuracy_score
        return accuracy_score(y, self.predict(X))


class PoissonRegression(RegressorMixin, _PenalizedModel):
    """Poisson regression with a log link (counts). Its objective equals scikit-learn's
    PoissonRegressor's with alpha = 1 / (C * n_samples)."""

    def fit(self, X, y):
        self._check_penalty()
        blocks = self._fit_blocks(X, y)
        blocks.y = [np.asarray(yb, dtype=np.float64) for yb in blocks.y]
        if any((yb < 0).any() for yb in blocks.y):
            raise ValueError("y must be non-negative counts for a Poisson regression")
        problem = _Problem(blocks, _poisson, _poisson_hessian, 1, self.penalty, self.C, self.l1_ratio,
                           self.fit_intercept)
        mean = sum(float(yb.sum()) for yb in blocks.y) / blocks.n_rows
        b0 = np.array([np.log(mean)]) if self.fit_intercept and mean > 0 else None
        W, b, iterations = problem.solve(self.solver, self.max_iter, self.tol, b0=b0)
        self.coef_, self.intercept_ = W[0], float(b[0])
        self.n_iter_ = iterations
        return self

    def predict(self, X):
        return np.exp(self._decision(X)[:, 0])

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of Poisson deviance explained (scikit-learn's PoissonRegressor.score)."""
        from sklearn.metrics import d2_tweedie_score
        y = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in Blocks(y, check_finite=False).X])
        return d2_tweedie_score(y, self.predict(X), power=1)
