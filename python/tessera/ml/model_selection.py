"""Splitting data block by block, and hyper-parameter search (Dask-ML's model_selection names)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold as _SklearnKFold

from ._blocks import _is_chunked_array, _is_tessera, raw_parts

__all__ = ["train_test_split", "KFold", "GridSearchCV", "RandomizedSearchCV", "IncrementalSearchCV",
           "HyperbandSearchCV"]


def _split_sizes(n, test_size, train_size):
    def count(size, name):
        if size is None:
            return None
        if isinstance(size, numbers.Real) and not isinstance(size, numbers.Integral):
            if not 0 < size < 1:
                raise ValueError(f"{name} as a fraction must be between 0 and 1; got {size!r}")
            return size
        raise ValueError(f"{name} must be a fraction between 0 and 1 (splits are block by block); got {size!r}")
    test, train = count(test_size, "test_size"), count(train_size, "train_size")
    if test is None and train is None:
        test = 0.25
    if test is None:
        test = 1 - train
    if train is None:
        train = 1 - test
    if test + train > 1 + 1e-12:
        raise ValueError(f"test_size + train_size = {test + train} exceeds 1")
    return test, train


def _block_positions(length, test, train, seed, shuffle):
    """(train rows, test rows) of one block: a seeded permutation, the first ceil(test * n) to
    test (scikit-learn's rounding), the next floor(train * n) to train."""
    n_test = int(np.ceil(test * length))
    n_train = min(int(np.floor(train * length)), length - n_test)
    order = np.random.default_rng(seed).permutation(length) if shuffle else np.arange(length)[::-1]
    test_rows = np.sort(order[:n_test])
    train_rows = np.sort(order[n_test:n_test + n_train])
    return train_rows, test_rows


def _take(part, rows):
    return part.iloc[rows] if isinstance(part, (pd.DataFrame, pd.Series)) else part[rows]


def _assemble(original, parts):
    if _is_tessera(original):
        from ..dataframe import from_delayed
        from ..delayed import delayed
        if isinstance(parts[0], pd.Series):
            name = parts[0].name if parts[0].name is not None else "__values__"
            series = from_delayed([delayed(p.to_frame(name)) for p in parts])[name]
            return series if parts[0].name is not None else series.rename(None)
        return from_delayed([delayed(p) for p in parts])
    if _is_chunked_array(original):
        import importlib
        module = importlib.import_module(type(original).__module__.split(".")[0] + ".array")
        return module.concatenate([module.from_array(p, chunks=p.shape) for p in parts])
    if isinstance(original, (pd.DataFrame, pd.Series)):
        return pd.concat(parts)
    return np.concatenate(parts)


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, blockwise=True,
                     **options):
    """Splits each of `arrays` (same rows, same blocks) into train and test parts, block by
    block: every block is shuffled with its own seed (from random_state) and split by the
    fractions, so the same random_state gives the same split however the work is scheduled.
    Results keep the input's kind (a tessera DataFrame stays one, with one partition per
    input partition). Returns train, test for each array, as scikit-learn does."""
    if options:
        raise TypeError(f"train_test_split got unexpected arguments {sorted(options)}")
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    if not blockwise:
        raise NotImplementedError("blockwise=False (a global shuffle) is not supported; splits are block by block")
    parts = [raw_parts(a, f"arrays[{i}]") for i, a in enumerate(arrays)]
    lengths = [len(p) for p in parts[0]]
    for i, p in enumerate(parts[1:], 1):
        if [len(b) for b in p] != lengths:
            raise ValueError(f"arrays[{i}] has blocks of {[len(b) for b in p][:8]} rows but arrays[0] has "
                             f"{lengths[:8]}; every array must have the same rows in the same blocks")
    test, train = _split_sizes(len(lengths) and sum(lengths), test_size, train_size)
    if isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(2**31))
    seeds = np.random.SeedSequence(random_state).spawn(len(lengths))
    positions = [_block_positions(n, test, train, seed, shuffle) for n, seed in zip(lengths, seeds)]
    out = []
    for original, blocks in zip(arrays, parts):
        out.append(_assemble(original, [_take(b, tr) for b, (tr, _) in zip(blocks, positions)]))
        out.append(_assemble(original, [_take(b, te) for b, (_, te) in zip(blocks, positions)]))
    return out


class KFold(_SklearnKFold):
    """scikit-learn's KFold; also splits tessera collections and chunked arrays (by their
    number of rows)."""

    def split(self, X, y=None, groups=None):
        if _is_tessera(X):
            X = np.empty((len(X), 0))
        elif _is_chunked_array(X):
            X = np.empty((sum(X.chunks[0]), 0))
        return super().split(X, y, groups)


# -- hyper-parameter search ------------------------------------------------------------------------
def _fold(X, y, train, test):
    from sklearn.utils import _safe_indexing
    return (_safe_indexing(X, train), None if y is None else _safe_indexing(y, train),
            _safe_indexing(X, test), None if y is None else _safe_indexing(y, test))


def _part(fold, i):
    return fold[i]


def _fit_transform(estimator, params, X, y, fit_params):
    """A pipeline step fitted on a fold's training rows: (fitted step, its output for them)."""
    import time

    from sklearn.base import clone
    start = time.perf_counter()
    if estimator is None or estimator == "passthrough":
        return None, X, 0.0
    step = clone(estimator).set_params(**params)
    if hasattr(step, "fit_transform"):
        out = step.fit_transform(X, y, **fit_params)
    else:
        out = step.fit(X, y, **fit_params).transform(X)
    return step, out, time.perf_counter() - start


def _transform(fitted, X):
    step = fitted[0]
    return X if step is None else step.transform(X)


def _fit_and_score(estimator, params, X_train, y_train, X_test, y_test, scorer, error_score, return_train_score,
                   prefix_seconds, fit_params):
    import time

    from sklearn.base import clone
    start = time.perf_counter()
    model = clone(estimator).set_params(**params)
    try:
        model.fit(X_train, y_train, **fit_params)
    except Exception:
        if error_score == "raise":
            raise
        fit_time = time.perf_counter() - start + prefix_seconds
        return {"test": error_score, "train": error_score, "fit_time": fit_time, "score_time": 0.0}
    fit_time = time.perf_counter() - start + prefix_seconds
    start = time.perf_counter()
    result = {"test": scorer(model, X_test, y_test), "fit_time": fit_time}
    result["score_time"] = time.perf_counter() - start
    if return_train_score:
        result["train"] = scorer(model, X_train, y_train)
    return result


def _prefix_seconds(*fitted):
    return sum(f[2] for f in fitted)


def _step_params(steps, params):
    """{step name: its parameters} and the parameters of the pipeline itself, from `params`."""
    names = {name for name, _ in steps}
    per_step = {name: {} for name in names}
    replaced = {}
    own = {}
    for key, value in params.items():
        head, _, rest = key.partition("__")
        if head in names and rest:
            per_step[head][rest] = value
        elif key in names:
            replaced[key] = value
        else:
            own[key] = value
    return per_step, replaced, own


class _BaseSearch:
    """What GridSearchCV and RandomizedSearchCV share: one task per distinct pipeline prefix
    and fold (a transformer with the same parameters on the same fold is fitted once for every
    candidate sharing it, as in Dask-ML), one fit-and-score task per candidate and fold."""

    def _candidates(self):
        raise NotImplementedError

    def fit(self, X, y=None, groups=None, **fit_params):
        import time

        from sklearn.base import clone, is_classifier
        from sklearn.metrics import check_scoring
        from sklearn.model_selection import check_cv
        from sklearn.pipeline import Pipeline

        from ..base import compute
        from ..delayed import delayed
        from ._blocks import _is_chunked_array, _is_tessera
        if _is_tessera(X) or _is_chunked_array(X):  # each fold's rows are needed whole by every fit
            X = X.compute()
        if y is not None and (_is_tessera(y) or _is_chunked_array(y)):
            y = y.compute()
        if self.error_score != "raise" and not isinstance(self.error_score, numbers.Number):
            raise ValueError(f"error_score must be 'raise' or a number; got {self.error_score!r}")
        if callable(self.scoring) or self.scoring is None or isinstance(self.scoring, str):
            scorer = check_scoring(self.estimator, scoring=self.scoring)
        else:
            raise NotImplementedError("several metrics (a list or dict of scoring) are not supported; pass one")
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        candidates = self._candidates()
        if not candidates:
            raise ValueError("the parameter grid / distributions give no candidates")
        split_task = delayed(_fold, pure=False, name="cv-split")
        part = delayed(_part, pure=True, name="cv-part")
        folds = [split_task(X, y, train, test) for train, test in splits]
        fold_parts = [[part(f, i) for i in range(4)] for f in folds]
        fit_step = delayed(_fit_transform, pure=False, name="fit-transform")
        transform_step = delayed(_transform, pure=False, name="transform")
        score_task = delayed(_fit_and_score, pure=False, name="fit-and-score")
        prefixes = {}
        results = []
        estimator = self.estimator
        for params in candidates:
            for f, (X_train, y_train, X_test, y_test) in enumerate(fold_parts):
                if isinstance(estimator, Pipeline):
                    per_step, replaced, own = _step_params(estimator.steps, params)
                    steps = [(name, replaced.get(name, step)) for name, step in estimator.steps]
                    Xtr, Xte, fitted, key = X_train, X_test, [], (f,)
                    for name, step in steps[:-1]:
                        key = key + ((name, id(step), repr(sorted(per_step[name].items()))),)
                        if key not in prefixes:
                            step_fit_params = {k.partition("__")[2]: v for k, v in fit_params.items()
                                               if k.startswith(name + "__")}
                            fitted_step = fit_step(step, per_step[name], Xtr, y_train, step_fit_params)
                            prefixes[key] = (fitted_step, part(fitted_step, 1), transform_step(fitted_step, Xte))
                        fitted_step, Xtr, Xte = prefixes[key]
                        fitted.append(fitted_step)
                    last_name, last = steps[-1]
                    last_fit = {k.partition("__")[2]: v for k, v in fit_params.items()
                                if k.startswith(last_name + "__")}
                    seconds = delayed(_prefix_seconds, pure=False, name="fit-time")(*fitted) if fitted else 0.0
                    results.append(score_task(last, per_step[last_name], Xtr, y_train, Xte, y_test, scorer,
                                              self.error_score, self.return_train_score, seconds, last_fit))
                else:
                    results.append(score_task(estimator, params, X_train, y_train, X_test, y_test, scorer,
                                              self.error_score, self.return_train_score, 0.0, fit_params))
        outcomes = compute(*results)
        self._store(candidates, outcomes, len(splits))
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = clone(estimator).set_params(**self.best_params_).fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        self.scorer_ = scorer
        self.n_splits_ = len(splits)
        self.multimetric_ = False
        return self

    def _store(self, candidates, outcomes, n_splits):
        from scipy.stats import rankdata
        n = len(candidates)
        results = {"params": candidates}
        names = sorted({k for c in candidates for k in c})
        for name in names:
            column = np.ma.MaskedArray(np.empty(n, dtype=object), mask=True)
            for i, c in enumerate(candidates):
                if name in c:
                    column[i] = c[name]
            results[f"param_{name}"] = column
        for kind in (["test", "train"] if self.return_train_score else ["test"]):
            scores = np.array([o[kind] for o in outcomes], dtype=np.float64).reshape(n, n_splits)
            for s in range(n_splits):
                results[f"split{s}_{kind}_score"] = scores[:, s]
            results[f"mean_{kind}_score"] = scores.mean(axis=1)
            results[f"std_{kind}_score"] = scores.std(axis=1)
        for timing in ("fit_time", "score_time"):
            values = np.array([o[timing] for o in outcomes]).reshape(n, n_splits)
            results[f"mean_{timing}"] = values.mean(axis=1)
            results[f"std_{timing}"] = values.std(axis=1)
        means = results["mean_test_score"]
        finite = np.where(np.isnan(means), -np.inf, means)
        results["rank_test_score"] = rankdata(-finite, method="min").astype(np.int32)
        self.cv_results_ = results
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(means[self.best_index_])

    # scikit-learn's search API once fitted
    def _best(self):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    def predict(self, X):
        return self._best().predict(X)

    def predict_proba(self, X):
        return self._best().predict_proba(X)

    def decision_function(self, X):
        return self._best().decision_function(X)

    def transform(self, X):
        return self._best().transform(X)

    def score(self, X, y=None):
        return self.scorer_(self._best(), X, y)

    @property
    def classes_(self):
        return self._best().classes_


class GridSearchCV(_BaseSearch, BaseEstimator):
    """Exhaustive search over `param_grid` with cross-validation, every fit a tessera task and
    pipeline prefixes shared between candidates (Dask-ML's GridSearchCV). X and y are held in
    memory (a tessera DataFrame is computed first). Scores equal scikit-learn's GridSearchCV."""

    def __init__(self, estimator, param_grid, *, scoring=None, refit=True, cv=None, error_score="raise",
                 return_train_score=False):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        from sklearn.model_selection import ParameterGrid
        return list(ParameterGrid(self.param_grid))


class RandomizedSearchCV(_BaseSearch, BaseEstimator):
    """Search over `n_iter` candidates drawn from `param_distributions` (the same candidates as
    scikit-learn's RandomizedSearchCV for the same random_state), as GridSearchCV."""

    def __init__(self, estimator, param_distributions, *, n_iter=10, random_state=None, scoring=None, refit=True,
                 cv=None, error_score="raise", return_train_score=False):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.scoring = scoring
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        from sklearn.model_selection import ParameterSampler
        return list(ParameterSampler(self.param_distributions, self.n_iter, random_state=self.random_state))


# -- adaptive searches over partial_fit estimators ---------------------------------------------------
def _train_and_score(model, parts, first_call, calls, X_test, y_test, scorer, fit_params):
    """`calls` more partial_fit calls (block after block, from call number `first_call`), then
    the score on the held-out rows: (model, score, fit seconds, score seconds)."""
    import time
    start = time.perf_counter()
    for call in range(first_call, first_call + calls):
        x, y = parts[call % len(parts)]
        model.partial_fit(x, y, **fit_params)
    fitted = time.perf_counter() - start
    start = time.perf_counter()
    score = scorer(model, X_test, y_test)
    return model, score, fitted, time.perf_counter() - start


class _AdaptiveSearch(BaseEstimator):
    """Trains candidates with partial_fit on the training blocks in turn (each model's steps are
    tasks; models run in parallel) and scores them on a held-out split."""

    def _data(self, X, y):
        from ._blocks import raw_parts
        if y is None:
            raise ValueError(f"{type(self).__name__}.fit needs y")
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=self.test_size if self.test_size is not None else 0.15, random_state=self.random_state)
        parts = list(zip(raw_parts(X_train, "X"), raw_parts(y_train, "y")))

        def whole(value):
            return value.compute() if hasattr(value, "compute") else value
        return [(x, y) for x, y in parts if len(x)], whole(X_test), whole(y_test)

    def _run(self, X, y, fit_params, schedule):
        """`schedule(advance)` drives the search; advance({model_id: calls}) trains those models
        that many more calls (in parallel) and returns {model_id: score}."""
        from sklearn.base import clone
        from sklearn.metrics import check_scoring

        from ..base import compute
        from ..delayed import delayed
        if not hasattr(self.estimator, "partial_fit"):
            raise ValueError(f"{type(self).__name__} needs an estimator with partial_fit; "
                             f"{type(self.estimator).__name__} has none")
        parts, X_test, y_test = self._data(X, y)
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        step = delayed(_train_and_score, pure=False, name="partial-fit-and-score")
        models, calls, history, model_history = {}, {}, [], {}
        params_of = {}

        def add(model_id, params):
            models[model_id] = clone(self.estimator).set_params(**params)
            calls[model_id] = 0
            params_of[model_id] = params
            model_history[model_id] = []

        def advance(more):
            ids = [i for i, n in more.items() if n > 0]
            outcomes = compute(*[step(models[i], parts, calls[i], more[i], X_test, y_test, scorer, fit_params)
                                 for i in ids])
            scores = {}
            for i, (model, score, fit_seconds, score_seconds) in zip(ids, outcomes):
                models[i] = model
                calls[i] += more[i]
                record = {"model_id": i, "params": params_of[i], "partial_fit_calls": calls[i], "score": score,
                          "partial_fit_time": fit_seconds, "score_time": score_seconds}
                history.append(record)
                model_history[i].append(record)
                scores[i] = score
            return scores

        schedule(add, advance)
        self.history_ = history
        self.model_history_ = model_history
        ids = sorted(models)
        final = {i: model_history[i][-1] for i in ids if model_history[i]}
        self._results(ids, final)
        self.best_estimator_ = models[ids[self.best_index_]]
        self.scorer_ = scorer
        self.n_models_ = len(ids)
        return self

    def _results(self, ids, final):
        from scipy.stats import rankdata
        scores = np.array([final[i]["score"] for i in ids], dtype=np.float64)
        candidates = [final[i]["params"] for i in ids]
        results = {"model_id": np.array(ids), "params": candidates, "test_score": scores,
                   "partial_fit_calls": np.array([final[i]["partial_fit_calls"] for i in ids])}
        for name in sorted({k for c in candidates for k in c}):
            results[f"param_{name}"] = np.ma.MaskedArray([c.get(name) for c in candidates],
                                                         mask=[name not in c for c in candidates], dtype=object)
        for timing in ("partial_fit_time", "score_time"):
            results[f"mean_{timing}"] = np.array([np.mean([r[timing] for r in self.model_history_[i]]) for i in ids])
        results["rank_test_score"] = rankdata(-np.where(np.isnan(scores), -np.inf, scores), method="min").astype(int)
        self.cv_results_ = results
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(scores[self.best_index_])

    def _candidate_list(self, count):
        from sklearn.model_selection import ParameterGrid, ParameterSampler
        if count == "grid":
            return list(ParameterGrid(self.parameters))
        return list(ParameterSampler(self.parameters, count, random_state=self.random_state))

    def predict(self, X):
        return self.best_estimator_.predict(X)

    def predict_proba(self, X):
        return self.best_estimator_.predict_proba(X)

    def score(self, X, y):
        return self.scorer_(self.best_estimator_, X, y)


class IncrementalSearchCV(_AdaptiveSearch):
    """Dask-ML's IncrementalSearchCV: `n_initial_parameters` candidates (or "grid": all of a
    grid) each get one partial_fit call per round on the next training block and a score on the
    held-out `test_size` fraction; a model stops after `max_iter` calls, or when `patience`
    rounds brought no improvement above `tol`. The best final score wins."""

    def __init__(self, estimator, parameters, n_initial_parameters=10, test_size=None, patience=False, tol=0.001,
                 fits_per_score=1, max_iter=100, random_state=None, scoring=None):
        self.estimator = estimator
        self.parameters = parameters
        self.n_initial_parameters = n_initial_parameters
        self.test_size = test_size
        self.patience = patience
        self.tol = tol
        self.fits_per_score = fits_per_score
        self.max_iter = max_iter
        self.random_state = random_state
        self.scoring = scoring

    def fit(self, X, y=None, **fit_params):
        candidates = self._candidate_list(self.n_initial_parameters)
        patience = int(self.patience) if self.patience else None

        def schedule(add, advance):
            active, best, since = {}, {}, {}
            for i, params in enumerate(candidates):
                add(i, params)
                active[i] = 0
                best[i], since[i] = -np.inf, 0
            while active:
                more = {i: min(self.fits_per_score, self.max_iter - done) for i, done in active.items()}
                scores = advance(more)
                for i, score in scores.items():
                    active[i] += more[i]
                    if score > best[i] + self.tol:
                        best[i], since[i] = score, 0
                    else:
                        since[i] += 1
                    if active[i] >= self.max_iter or (patience is not None and since[i] >= patience):
                        del active[i]
        return self._run(X, y, fit_params, schedule)


class HyperbandSearchCV(_AdaptiveSearch):
    """Hyperband (Li et al. 2018) over partial_fit calls: brackets of successive halving, each
    starting many candidates with few calls and keeping the best 1/aggressiveness at every
    step, up to `max_iter` calls for the survivors. Candidates are drawn from `parameters`
    with `random_state`."""

    def __init__(self, estimator, parameters, max_iter=81, aggressiveness=3, test_size=None, random_state=None,
                 scoring=None):
        self.estimator = estimator
        self.parameters = parameters
        self.max_iter = max_iter
        self.aggressiveness = aggressiveness
        self.test_size = test_size
        self.random_state = random_state
        self.scoring = scoring

    def _brackets(self):
        """[(bracket, models, first calls)] from the largest number of models down."""
        eta, R = self.aggressiveness, self.max_iter
        if not (isinstance(eta, numbers.Integral) and eta >= 2):
            raise ValueError(f"aggressiveness must be an integer >= 2; got {eta!r}")
        s_max = int(np.floor(np.log(R) / np.log(eta) + 1e-9))
        return [(s, int(np.ceil((s_max + 1) / (s + 1) * eta ** s)), max(1, int(R * eta ** -s)))
                for s in range(s_max, -1, -1)]

    @property
    def metadata(self):
        """The schedule: models started and partial_fit calls per bracket."""
        brackets = self._brackets()
        eta = self.aggressiveness
        out = []
        for s, n, r in brackets:
            calls = sum(int(n * eta ** -i) * min(self.max_iter, int(r * eta ** i)) for i in range(s + 1))
            out.append({"bracket": s, "n_models": n, "partial_fit_calls": calls})
        return {"brackets": out, "n_models": sum(b["n_models"] for b in out),
                "partial_fit_calls": sum(b["partial_fit_calls"] for b in out)}

    def fit(self, X, y=None, **fit_params):
        brackets = self._brackets()
        candidates = self._candidate_list(sum(n for _, n, _ in brackets))
        eta = self.aggressiveness
        self.metadata_ = self.metadata

        def schedule(add, advance):
            first = 0
            for s, n, r in brackets:
                ids = list(range(first, first + n))
                first += n
                for i in ids:
                    add(i, candidates[i])
                done, scores = {i: 0 for i in ids}, {}
                for rung in range(s + 1):
                    target = min(self.max_iter, int(r * eta ** rung))
                    scores.update(advance({i: target - done[i] for i in ids}))
                    for i in ids:
                        done[i] = target
                    if rung < s:  # the best 1/eta go on to the next rung
                        keep = max(1, int(n * eta ** -(rung + 1)))
                        ids = sorted(ids, key=lambda i: -scores[i])[:keep]
        return self._run(X, y, fit_params, schedule)
