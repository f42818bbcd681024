"""joblib's "tessera" backend: scikit-learn's n_jobs work runs as tessera tasks, with the same
results as joblib's default backend."""

import json
import subprocess
import sys
import urllib.request

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.svm import SVC

import tessera  # noqa: F401  (registers the backend)
from tessera.distributed import Client, get_task_stream


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


def both(fit):
    """fit() under joblib's default backend and under tessera's."""
    expected = fit()
    with joblib.parallel_config(backend="tessera"):
        actual = fit()
    return expected, actual


def assert_same_search(expected, actual):
    assert actual.best_params_ == expected.best_params_
    for name, values in expected.cv_results_.items():
        if name.startswith(("split", "mean_test", "std_test", "rank_test", "param")):
            np.testing.assert_array_equal(np.asarray(actual.cv_results_[name]), np.asarray(values), err_msg=name)


def test_grid_search_same_scores_and_best_params(digits):
    X, y = digits
    grid = {"C": [0.1, 1, 10], "gamma": [1e-3, 1e-4]}
    expected, actual = both(lambda: GridSearchCV(SVC(), grid, n_jobs=-1).fit(X, y))
    assert_same_search(expected, actual)
    np.testing.assert_array_equal(actual.predict(X), expected.predict(X))


def test_randomized_search_seeded_same_results(digits):
    X, y = digits
    params = {"n_estimators": [5, 10, 20], "max_depth": [3, 5, None], "min_samples_leaf": [1, 2, 4]}

    def fit():
        return RandomizedSearchCV(RandomForestClassifier(random_state=0), params, n_iter=5, random_state=1,
                                  cv=3, n_jobs=-1).fit(X, y)
    expected, actual = both(fit)
    assert_same_search(expected, actual)


def test_cross_val_score_and_random_forest_same_as_default(digits):
    X, y = digits
    expected, actual = both(lambda: cross_val_score(LogisticRegression(max_iter=200), X, y, cv=4, n_jobs=-1))
    np.testing.assert_array_equal(actual, expected)
    expected, actual = both(lambda: RandomForestClassifier(n_estimators=30, random_state=0, n_jobs=-1).fit(X, y))
    np.testing.assert_array_equal(actual.predict_proba(X), expected.predict_proba(X))
    assert [t.tree_.node_count for t in actual.estimators_] == [t.tree_.node_count for t in expected.estimators_]


def test_plain_joblib_parallel_in_order_and_nested():
    def inner(i):
        return sum(joblib.Parallel(n_jobs=2)(joblib.delayed(pow)(i, k) for k in range(3)))
    with joblib.parallel_config(backend="tessera"):
        out = joblib.Parallel(n_jobs=-1)(joblib.delayed(inner)(i) for i in range(40))
    assert out == [1 + i + i * i for i in range(40)]


def test_generators_and_timeouts():
    import multiprocessing
    import time
    with joblib.parallel_config(backend="tessera"):
        ordered = joblib.Parallel(n_jobs=-1, return_as="generator")(joblib.delayed(pow)(i, 2) for i in range(20))
        assert list(ordered) == [i * i for i in range(20)]
        unordered = joblib.Parallel(n_jobs=-1, return_as="generator_unordered")(
            joblib.delayed(pow)(i, 2) for i in range(20))
        assert sorted(unordered) == [i * i for i in range(20)]
        with pytest.raises(multiprocessing.TimeoutError):  # joblib's timeout error, as with every backend
            joblib.Parallel(n_jobs=-1, timeout=0.2)(joblib.delayed(time.sleep)(1) for _ in range(2))


class FailsOnFold(ClassifierMixin, BaseEstimator):
    def __init__(self, bad=0):
        self.bad = bad

    def fit(self, X, y):
        if len(X) % 3 == self.bad:
            raise ArithmeticError(f"fold of {len(X)} rows is not supported")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_errors_surface_as_the_original_exception(digits):
    X, y = digits
    with pytest.raises(ArithmeticError, match="rows is not supported") as expected:
        cross_val_score(FailsOnFold(bad=len(X) * 4 // 5 % 3), X, y, cv=5, n_jobs=-1, error_score="raise")
    with joblib.parallel_config(backend="tessera"):
        with pytest.raises(ArithmeticError, match="rows is not supported") as actual:
            cross_val_score(FailsOnFold(bad=len(X) * 4 // 5 % 3), X, y, cv=5, n_jobs=-1, error_score="raise")
    assert str(actual.value) == str(expected.value)
    # the backend stays usable after a failed call
    with joblib.parallel_config(backend="tessera"):
        assert joblib.Parallel(n_jobs=-1)(joblib.delayed(abs)(-i) for i in range(5)) == [0, 1, 2, 3, 4]


def test_on_a_client_tasks_are_named_and_data_is_placed_once(digits):
    X, y = digits
    grid = {"C": [0.1, 1, 10, 100]}
    expected = GridSearchCV(SVC(), grid, cv=5, n_jobs=-1).fit(X, y)
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with joblib.parallel_config(backend="tessera"), get_task_stream(client) as ts:
            actual = GridSearchCV(SVC(), grid, cv=5, n_jobs=-1).fit(X, y)
            RandomForestClassifier(n_estimators=8, n_jobs=-1, random_state=0).fit(X, y)
    assert_same_search(expected, actual)
    prefixes = [r["key"].rsplit("-", 1)[0] for r in ts.data]
    assert "fit-and-score" in prefixes and "parallel-build-trees" in prefixes
    assert all(r["status"] == "OK" for r in ts.data)
    # what recurs goes to the scheduler once: X, y and each fold's index arrays (shared by the 4
    # candidates) for the search; X and y for the forest
    fits = prefixes.count("fit-and-score")
    placed = len(ts.data) - fits - prefixes.count("parallel-build-trees")
    assert fits >= 2 and placed <= 2 + 2 * 5 + 2, prefixes


def test_a_large_argument_is_placed_once_per_call():
    big = np.arange(100_000, dtype=np.float64)
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with joblib.parallel_config(backend="tessera"), get_task_stream(client) as ts:
            out = joblib.Parallel(n_jobs=-1, batch_size=1)(joblib.delayed(np.multiply)(big, i) for i in range(30))
    np.testing.assert_array_equal(out, [big * i for i in range(30)])
    prefixes = [r["key"].rsplit("-", 1)[0] for r in ts.data]
    assert prefixes.count("multiply") == 30
    assert len(prefixes) == 31, prefixes  # and `big` once


def test_scatter_option_places_values_before_the_first_call():
    big = np.arange(50_000, dtype=np.float64)
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with get_task_stream(client) as ts:
            with joblib.parallel_config(backend="tessera", scatter=[big]):
                out = joblib.Parallel(n_jobs=-1, batch_size=1)(joblib.delayed(np.add)(big, i) for i in range(10))
    np.testing.assert_array_equal(out, [big + i for i in range(10)])
    prefixes = [r["key"].rsplit("-", 1)[0] for r in ts.data]
    assert prefixes.count("add") == 10 and len(prefixes) == 11, prefixes
    with pytest.raises(TypeError, match="scatter= takes a list or tuple"):
        with joblib.parallel_config(backend="tessera", scatter=big):
            pass


def test_effective_n_jobs_is_the_scheduler_threads():
    with Client(n_workers=1, threads_per_worker=3, dashboard_address=None):
        with joblib.parallel_config(backend="tessera"):
            assert joblib.Parallel(n_jobs=-1)._effective_n_jobs() == 3
            assert joblib.Parallel(n_jobs=-2)._effective_n_jobs() == 2
            assert joblib.Parallel(n_jobs=5)._effective_n_jobs() == 5


def test_import_registers_without_importing_scikit_learn():
    code = ("import sys, tessera, joblib.parallel as p; "
            "assert 'tessera' in p.BACKENDS, sorted(p.BACKENDS); "
            "assert 'sklearn' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_dashboard_profile_shows_the_fits_python_frames(digits):
    X, y = digits
    with Client(n_workers=1, threads_per_worker=2, dashboard_address="127.0.0.1:0") as client:
        with joblib.parallel_config(backend="tessera"):
            GridSearchCV(SVC(), {"C": [0.1, 1, 10], "gamma": [1e-3, 1e-4]}, cv=5, n_jobs=-1).fit(X, y)
        base = client.dashboard_link[: -len("/status")]
        with urllib.request.urlopen(base + "/api/profile?prefix=fit-and-score", timeout=10) as response:
            profile = json.loads(response.read().decode())
    names = set()

    def walk(node):
        names.add(node["name"])
        for child in node["children"]:
            walk(child)
    walk(profile["root"])
    assert profile["samples"] > 0
    assert any(name.startswith("sklearn.") for name in names), sorted(names)[:20]
