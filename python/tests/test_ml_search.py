"""tessera.ml's GridSearchCV / RandomizedSearchCV: scikit-learn's scores, with pipeline
prefixes fitted once per distinct parameters and fold."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.model_selection
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import tessera.dataframe as dd
from tessera.distributed import Client, get_task_stream
from tessera.ml.model_selection import GridSearchCV, RandomizedSearchCV


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
