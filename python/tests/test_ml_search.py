"""tessera.ml's GridSearchCV / RandomizedSearchCV: scikit-learn's scores, with pipeline
prefixes fitted once per distinct parameters and fold."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.model_selection
from sklearn.datasets import load_digits, make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import tessera.dataframe as dd
from tessera.distributed import Client, get_task_stream
from tessera.ml.model_selection import (GridSearchCV, HyperbandSearchCV, IncrementalSearchCV, RandomizedSearchCV,
                                        train_test_split)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500], y[:500]


def pipeline():
    return Pipeline([("scale", StandardScaler()), ("pca", PCA(random_state=0)),
                     ("clf", LogisticRegression(max_iter=300))])


def assert_same(ours, reference, n_splits):
    assert ours.best_params_ == reference.best_params_
    assert ours.best_index_ == reference.best_index_
    assert ours.best_score_ == reference.best_score_
    for name in ["mean_test_score", "std_test_score", "rank_test_score"] + \
            [f"split{i}_test_score" for i in range(n_splits)]:
        np.testing.assert_array_equal(ours.cv_results_[name], reference.cv_results_[name], err_msg=name)
    assert ours.cv_results_["params"] == reference.cv_results_["params"]
    for name in (k for k in reference.cv_results_ if k.startswith("param_")):
        assert list(ours.cv_results_[name]) == list(reference.cv_results_[name])


def test_grid_search_of_a_pipeline_equals_scikit_learn_and_shares_prefixes(digits):
    X, y = digits
    grid = {"pca__n_components": [5, 15], "clf__C": [0.01, 0.1, 1.0]}
    reference = sklearn.model_selection.GridSearchCV(pipeline(), grid, cv=3).fit(X, y)
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with get_task_stream(client) as ts:
            ours = GridSearchCV(pipeline(), grid, cv=3).fit(X, y)
    assert_same(ours, reference, 3)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))
    assert ours.score(X, y) == reference.score(X, y)
    prefixes = [r["key"].rsplit("-", 1)[0] for r in ts.data if isinstance(r["key"], str)]
    # 3 folds: the scaler once per fold, PCA once per fold and n_components, the classifier per candidate
    assert prefixes.count("fit-transform") == 3 + 3 * 2
    assert prefixes.count("fit-and-score") == 3 * 6


def test_randomized_search_equals_scikit_learn(digits):
    X, y = digits
    distributions = {"C": scipy.stats.loguniform(1e-2, 1e2), "gamma": [1e-3, 1e-4], "kernel": ["rbf", "linear"]}
    reference = sklearn.model_selection.RandomizedSearchCV(SVC(), distributions, n_iter=6, random_state=7,
                                                           cv=4, return_train_score=True).fit(X, y)
    ours = RandomizedSearchCV(SVC(), distributions, n_iter=6, random_state=7, cv=4, return_train_score=True)
    ours.fit(dd.from_pandas(pd.DataFrame(X), npartitions=3), dd.from_pandas(pd.Series(y), npartitions=3))
    assert_same(ours, reference, 4)
    np.testing.assert_array_equal(ours.cv_results_["mean_train_score"], reference.cv_results_["mean_train_score"])


def test_search_errors_raise_or_score(digits):
    X, y = digits
    with pytest.raises(ValueError):
        GridSearchCV(SVC(), {"C": [-1.0]}, cv=2).fit(X, y)
    searched = GridSearchCV(SVC(), {"C": [-1.0, 1.0]}, cv=2, error_score=np.nan).fit(X, y)
    assert np.isnan(searched.cv_results_["mean_test_score"][0])
    assert searched.best_params_ == {"C": 1.0}
    with pytest.raises(ValueError, match="error_score"):
        GridSearchCV(SVC(), {"C": [1.0]}, error_score="ignore").fit(X, y)


def _hand_trained(params, parts, calls, X_test, y_test):
    """The oracle: partial_fit on the training blocks in turn, then the test accuracy."""
    model = SGDClassifier(random_state=0, **params)
    for call in range(calls):
        x, y = parts[call % len(parts)]
        model.partial_fit(x, y, classes=[0, 1])
    return model.score(X_test, y_test)


@pytest.fixture(scope="module")
def blocks_data():
    X, y = make_classification(n_samples=4000, n_features=8, random_state=3)
    df = dd.from_pandas(pd.DataFrame(X), npartitions=4)
    ys = dd.from_pandas(pd.Series(y), npartitions=4)
    X_train, X_test, y_train, y_test = train_test_split(df, ys, test_size=0.15, random_state=0)
    parts = [(X_train.partitions[i].compute(), y_train.partitions[i].compute()) for i in range(4)]
    return df, ys, parts, X_test.compute(), y_test.compute()


def test_incremental_search_equals_training_each_candidate_by_hand(blocks_data):
    df, ys, parts, X_test, y_test = blocks_data
    grid = {"alpha": [1e-4, 1e-2, 1.0], "penalty": ["l2", "l1"]}
    search = IncrementalSearchCV(SGDClassifier(random_state=0), grid, n_initial_parameters="grid", max_iter=6,
                                 random_state=0).fit(df, ys, classes=[0, 1])
    expected = [_hand_trained(p, parts, 6, X_test, y_test) for p in search.cv_results_["params"]]
    np.testing.assert_array_equal(search.cv_results_["test_score"], expected)
    assert list(search.cv_results_["partial_fit_calls"]) == [6] * 6
    assert search.best_score_ == max(expected)
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(expected))]
    assert search.score(X_test, y_test) == max(expected)
    assert [r["partial_fit_calls"] for r in search.model_history_[0]] == [1, 2, 3, 4, 5, 6]


def test_incremental_search_patience_stops_models_early(blocks_data):
    df, ys, *_ = blocks_data
    search = IncrementalSearchCV(SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3]}, n_initial_parameters="grid",
                                 max_iter=40, patience=2, tol=1.0, random_state=0).fit(df, ys, classes=[0, 1])
    # tol=1.0 (accuracy cannot improve by 1): every model stops after 1 + patience calls
    assert list(search.cv_results_["partial_fit_calls"]) == [3, 3]


def test_hyperband_follows_its_schedule_and_keeps_the_best(blocks_data):
    df, ys, parts, X_test, y_test = blocks_data
    distributions = {"alpha": scipy.stats.loguniform(1e-5, 1e1)}
    search = HyperbandSearchCV(SGDClassifier(random_state=0), distributions, max_iter=9, aggressiveness=3,
                               random_state=0).fit(df, ys, classes=[0, 1])  # the fixture's split
    # brackets of 9 models (1 call; best 3 to 3 calls; best 1 to 9), 5 models (3; best 1 to 9), 3 (9)
    calls = list(search.cv_results_["partial_fit_calls"])
    assert search.n_models_ == 17 and {c: calls.count(c) for c in set(calls)} == {1: 6, 3: 6, 9: 5}
    assert search.metadata_["n_models"] == 17
    first_rung = sorted(range(9), key=lambda i: -search.model_history_[i][0]["score"])[:3]
    assert {i for i in range(9) if calls[i] >= 3} == set(first_rung)
    best = search.best_params_
    assert search.best_score_ == _hand_trained(best, parts, calls[search.best_index_], X_test, y_test)
