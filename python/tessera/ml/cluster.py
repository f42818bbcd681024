"""KMeans over row blocks: k-means|| initialisation, then Lloyd iterations in which every block
assigns its rows to the nearest centre and returns per-cluster sums and counts as one task."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .. import _core
from ._blocks import Blocks, check_n_features, feature_names

__all__ = ["KMeans"]


# Rows per matrix product when distances to many centres go through BLAS (bounds the scratch).
_ROWS_AT_ONCE = 32_768


def _squared_distances(x, centers):
    d = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ centers.T) + (centers * centers).sum(axis=1)[None, :]
    return np.maximum(d, 0.0, out=d)


def _closest(x, centers):
    """(labels, squared distances) of every row's nearest centre, through BLAS a slice of rows at
    a time: for the many candidate centres of k-means||, where a matrix product beats direct sums."""
    labels = np.empty(len(x), dtype=np.int64)
    d2 = np.empty(len(x))
    for start in range(0, len(x), _ROWS_AT_ONCE):
        d = _squared_distances(x[start:start + _ROWS_AT_ONCE], centers)
        labels[start:start + len(d)] = d.argmin(axis=1)
        d2[start:start + len(d)] = d[np.arange(len(d)), labels[start:start + len(d)]]
    return labels, d2


def _nearest_so_far(x, d2, new_centers):
    """k-means||: each row's squared distance to the nearest centre, updated with the centres
    added since (d2 is None before the first); with its sum, the block's cost."""
    fresh = _closest(x, new_centers)[1]
    d2 = fresh if d2 is None else np.minimum(d2, fresh)
    return d2, float(d2.sum())


def _sample_candidates(x, d2, seed, factor, cost):
    """k-means|| round: each row joins the candidates with probability factor * d^2 / cost."""
    return x[np.random.default_rng(seed).random(len(x)) < factor * d2 / cost]


def _candidate_weights(x, candidates):
    return np.bincount(_closest(x, candidates)[0], minlength=len(candidates))


def _lloyd_parts(x, centers):
    """Per-cluster sums, counts and the inertia of a block (one C++ pass, tessera::ml)."""
    _, sums, counts, inertia = _core.ml_kmeans_assign(x, centers)
    return sums, counts, inertia


def _labels(x, centers):
    return _core.ml_kmeans_assign(x, centers)[0]


def _labels_and_inertia(x, centers):
    labels, _, _, inertia = _core.ml_kmeans_assign(x, centers)
    return labels, inertia


def _inertia(x, centers):
    return _core.ml_kmeans_assign(x, centers)[3]


def _seed_sequence(random_state):
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(2**31)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63)))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.SeedSequence(random_state)
    raise ValueError(f"random_state must be None, an integer, a RandomState or a Generator; got {random_state!r}")


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """k-means with scalable k-means++ (k-means||, Bahmani et al. 2012) initialisation.

    init: 'k-means||' or an array of starting centres. init_max_iter rounds of oversampling
    (default 5) each add about oversampling_factor * n_clusters candidates; the weighted
    candidates are reduced to n_clusters by scikit-learn's k-means++. Seeded fits are
    reproducible on any number of threads (each block's sampling has its own seed)."""

    def __init__(self, n_clusters=8, *, init="k-means||", oversampling_factor=2, max_iter=300, tol=1e-4,
                 random_state=None, init_max_iter=None):
        self.n_clusters = n_clusters
        self.init = init
        self.oversampling_factor = oversampling_factor
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.init_max_iter = init_max_iter

    def fit(self, X, y=None):
        if not isinstance(self.n_clusters, numbers.Integral) or self.n_clusters < 1:
            raise ValueError(f"n_clusters must be a positive integer; got {self.n_clusters!r}")
        blocks = Blocks(X)
        if blocks.n_rows < self.n_clusters:
            raise ValueError(f"n_samples={blocks.n_rows} should be >= n_clusters={self.n_clusters}")
        self.n_features_in_ = blocks.n_features
        names = feature_names(X)
        if names is not None:
            self.feature_names_in_ = names
        seeds = _seed_sequence(self.random_state)
        if isinstance(self.init, str):
            if self.init != "k-means||":
                raise ValueError(f"init must be 'k-means||' or an array of shape (n_clusters, n_features); "
                                 f"got {self.init!r}")
            centers = self._init_scalable(blocks, seeds)
        else:
            centers = np.array(self.init, dtype=np.float64)
            if centers.shape != (self.n_clusters, blocks.n_features):
                raise ValueError(f"init has shape {centers.shape}; expected {(self.n_clusters, blocks.n_features)}")
        from .preprocessing import _combine_moments, _moments
        n, _, m2 = _combine_moments(blocks.map(_moments, name="moments"))
        tolerance = float(np.mean(m2 / n)) * self.tol
        for iteration in range(1, self.max_iter + 1):
            centers = np.ascontiguousarray(centers)
            parts = blocks.map(_lloyd_parts, centers, name="kmeans-step")
            sums = sum(p[0] for p in parts)
            counts = sum(p[1] for p in parts)
            updated = centers.copy()
            filled = counts > 0
            updated[filled] = sums[filled] / counts[filled, None]
            shift = float(((updated - centers) ** 2).sum())
            centers = updated
            if shift <= tolerance:
                break
        self.n_iter_ = iteration
        self.cluster_centers_ = centers
        final = blocks.map(_labels_and_inertia, centers, name="kmeans-labels")
        self.labels_ = np.concatenate([labels for labels, _ in final])
        self.inertia_ = sum(inertia for _, inertia in final)
        return self

    def _init_scalable(self, blocks, seeds):
        from sklearn.cluster import KMeans as Reference
        first_seed, sample_seed, reduce_seed = seeds.spawn(3)
        rng = np.random.default_rng(first_seed)
        centers = _rows(blocks, [int(rng.integers(blocks.n_rows))])
        factor = self.oversampling_factor * self.n_clusters
        rounds = self.init_max_iter if self.init_max_iter is not None else 5
        round_seeds = sample_seed.spawn(rounds)
        nearest = [(None,)] * len(blocks)
        added = centers
        for r in range(rounds):
            if len(added):  # distances to the centres so far, updated with the last round's only
                updated = blocks.map(_nearest_so_far, added, per_block=nearest, name="kmeans-cost")
                nearest = [(d2,) for d2, _ in updated]
                cost = sum(c for _, c in updated)
            if cost == 0:
                break
            seeds = [(d2, seed) for (d2,), seed in zip(nearest, round_seeds[r].spawn(len(blocks)))]
            added = np.vstack(blocks.map(_sample_candidates, factor, cost, per_block=seeds, name="kmeans-sample"))
            centers = np.vstack([centers, added])
        if len(centers) < self.n_clusters:  # too few distinct rows were sampled: add uniform ones
            centers = np.vstack([centers, _rows(blocks, rng.choice(blocks.n_rows, self.n_clusters, replace=False))])
        weights = sum(blocks.map(_candidate_weights, centers, name="kmeans-weights"))
        reducer = Reference(n_clusters=self.n_clusters, init="k-means++", n_init=1,
                            random_state=int(reduce_seed.generate_state(1)[0]))
        return reducer.fit(centers, sample_weight=weights.astype(np.float64)).cluster_centers_

    def _checked(self, X):
        check_is_fitted(self, "cluster_centers_")
        blocks = Blocks(X)
        check_n_features(self, blocks)
        return blocks

    def predict(self, X):
        return np.concatenate(self._checked(X).map(_labels, self.cluster_centers_, name="kmeans-labels"))

    def transform(self, X):
        return np.concatenate(self._checked(X).map(_distances, self.cluster_centers_, name="kmeans-distances"))

    def fit_predict(self, X, y=None):
        return self.fit(X).labels_

    def score(self, X, y=None):
        return -sum(self._checked(X).map(_inertia, self.cluster_centers_, name="kmeans-inertia"))


def _rows(blocks, indices):
    """Rows of the stacked blocks at global positions `indices`."""
    starts = np.cumsum([0] + [len(x) for x in blocks.X])
    out = []
    for index in indices:
        block = int(np.searchsorted(starts, index, side="right")) - 1
        out.append(blocks.X[block][index - starts[block]])
    return np.array(out)


def _distances(x, centers):
    return np.sqrt(_squared_distances(x, centers))
