"""tessera.ml estimators against scikit-learn on the same (concatenated) data.

Tolerances: exact algorithms (scalers, least squares, PCA by TSQR) match to ~1e-8 relative;
iterative fits (logistic, Poisson) run both sides to tol=1e-10 and match coefficients to 1e-5;
L1 / elastic-net fits match scikit-learn's saga to 1e-3 and reach an objective no worse than
saga's; KMeans inertia is within 1% of scikit-learn's best of 10 initialisations."""

import warnings

import dask.array as da
import numpy as np
import pandas as pd
import pytest
import sklearn.cluster
import sklearn.decomposition
import sklearn.linear_model
import sklearn.metrics
import sklearn.preprocessing
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline

import tessera.dataframe as dd
from tessera.distributed import Client, get_task_stream
from tessera.ml import cluster, decomposition, linear_model, metrics, model_selection, preprocessing, wrappers


@pytest.fixture(scope="module")
def classification():
    X, y = make_classification(n_samples=3000, n_features=6, n_informative=4, random_state=0)
    return X, y


def as_kinds(X, y=None, npartitions=4):
    """The same data as NumPy, pandas, a tessera DataFrame of several partitions and a dask array of
    several chunks (a chunked array)."""
    columns = [f"x{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    out = {"numpy": (X, y), "pandas": (frame, None if y is None else pd.Series(y, name="y"))}
    out["tessera"] = (dd.from_pandas(frame, npartitions=npartitions),
                      None if y is None else dd.from_pandas(pd.Series(y, name="y"), npartitions=npartitions))
    chunks = -(-len(X) // npartitions)
    out["chunked"] = (da.from_array(X, chunks=(chunks, X.shape[1])),
                      None if y is None else da.from_array(y, chunks=chunks))
    return out


KINDS = ["numpy", "pandas", "tessera", "chunked"]


@pytest.mark.parametrize("kind", KINDS)
def test_standard_and_min_max_scalers_equal_scikit_learn(classification, kind):
    X, _ = classification
    data, _ = as_kinds(X * [1, 10, 100, 1, 1, 1e-3] + 5)[kind]
    Xs = X * [1, 10, 100, 1, 1, 1e-3] + 5
    for ours, reference in [(preprocessing.StandardScaler(), sklearn.preprocessing.StandardScaler()),
                            (preprocessing.MinMaxScaler((-1, 2)), sklearn.preprocessing.MinMaxScaler((-1, 2)))]:
        ours.fit(data)
        reference.fit(Xs)
        for name in ("mean_", "var_", "scale_", "data_min_", "data_max_", "min_"):
            if hasattr(reference, name):
                np.testing.assert_allclose(getattr(ours, name), getattr(reference, name), rtol=1e-10, err_msg=name)
        out = ours.transform(data)
        values = out.compute() if hasattr(out, "compute") else out
        np.testing.assert_allclose(np.asarray(values), reference.transform(Xs), rtol=1e-9, atol=1e-9)
        back = ours.inverse_transform(out)
        back = back.compute() if hasattr(back, "compute") else back
        np.testing.assert_allclose(np.asarray(back), Xs, rtol=1e-9)
        if kind in ("pandas", "tessera"):
            assert list(values.columns) == [f"x{i}" for i in range(6)]
            assert list(ours.feature_names_in_) == list(values.columns)


def test_transform_of_a_tessera_frame_stays_lazy_and_partitioned(classification):
    X, _ = classification
    df, _ = as_kinds(X)["tessera"]
    out = preprocessing.StandardScaler().fit(df).transform(df)
    assert isinstance(out, dd.DataFrame) and out.npartitions == df.npartitions
    assert out.x0.mean().compute() == pytest.approx(0.0, abs=1e-12)


def test_robust_scaler_exact_on_one_block_and_close_on_many():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=20000), rng.exponential(size=20000), rng.integers(0, 50, 20000)])
    reference = sklearn.preprocessing.RobustScaler().fit(X)
    one = preprocessing.RobustScaler().fit(X)
    np.testing.assert_allclose(one.center_, reference.center_)
    np.testing.assert_allclose(one.scale_, reference.scale_)
    many = preprocessing.RobustScaler().fit(dd.from_pandas(pd.DataFrame(X), npartitions=8))
    # merged quantile summaries: within 1% of the inter-quartile range
    np.testing.assert_allclose(many.center_, reference.center_, atol=0.01 * reference.scale_.min())
    np.testing.assert_allclose(many.scale_, reference.scale_, rtol=0.01)


def test_polynomial_features_equal_scikit_learn(classification):
    X, _ = classification
    df, _ = as_kinds(X[:, :3])["tessera"]
    ours = preprocessing.PolynomialFeatures(degree=2).fit(df)
    frame = pd.DataFrame(X[:, :3], columns=["x0", "x1", "x2"])
    reference = sklearn.preprocessing.PolynomialFeatures(degree=2).fit(frame)
    out = ours.transform(df).compute()
    np.testing.assert_allclose(out.to_numpy(), reference.transform(frame))
    assert list(out.columns) == list(reference.get_feature_names_out())


@pytest.mark.parametrize("kind", ["numpy", "tessera", "chunked"])
def test_linear_regression_equals_least_squares(kind):
    X, y = make_regression(n_samples=2000, n_features=5, noise=3.0, random_state=1)
    y = y + 7.0
    data, target = as_kinds(X, y)[kind]
    ours = linear_model.LinearRegression().fit(data, target)
    reference = sklearn.linear_model.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(reference.intercept_, rel=1e-9)
    np.testing.assert_allclose(ours.predict(data), reference.predict(X), rtol=1e-9)
    assert ours.score(data, target) == pytest.approx(reference.score(X, y), rel=1e-12)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("kind", ["numpy", "tessera"])
def test_binary_logistic_regression_equals_scikit_learn(classification, solver, kind):
    X, y = classification
    data, target = as_kinds(X, y)[kind]
    ours = linear_model.LogisticRegression(C=0.5, solver=solver, tol=1e-10, max_iter=500).fit(data, target)
    reference = sklearn.linear_model.LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(X, y)
    assert ours.coef_.shape == (1, 6) and ours.intercept_.shape == (1,)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(data), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(data), reference.predict(X))
    assert ours.score(data, target) == reference.score(X, y)


def test_multinomial_logistic_regression_equals_scikit_learn():
    X, y = make_classification(n_samples=3000, n_features=6, n_informative=4, n_classes=3, random_state=2)
    labels = np.array(["ant", "bee", "cat"])[y]
    ours = linear_model.LogisticRegression(tol=1e-10, max_iter=1000).fit(*as_kinds(X, labels)["tessera"])
    reference = sklearn.linear_model.LogisticRegression(tol=1e-10, max_iter=10000).fit(X, labels)
    assert list(ours.classes_) == ["ant", "bee", "cat"] and ours.coef_.shape == (3, 6)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))
    assert metrics.log_loss(labels, ours.predict_proba(X)) == pytest.approx(
        sklearn.metrics.log_loss(labels, reference.predict_proba(X)), rel=1e-6)


def objective(model, X, y, C, l1_ratio):
    """scikit-learn's elastic-net logistic objective / n at model's coefficients."""
    z = X @ model.coef_[0] + model.intercept_[0]
    w = model.coef_[0]
    return (np.sum(np.logaddexp(0, z) - y * z) * C + l1_ratio * np.abs(w).sum()
            + (1 - l1_ratio) / 2 * w @ w) / (C * len(y))


@pytest.mark.parametrize("penalty,l1_ratio", [("l1", 1.0), ("elasticnet", 0.5)])
def test_l1_and_elastic_net_logistic_regression_match_saga(classification, penalty, l1_ratio):
    X, y = classification
    X = sklearn.preprocessing.StandardScaler().fit_transform(X)
    C = 0.02
    ours = linear_model.LogisticRegression(penalty=penalty, C=C, l1_ratio=l1_ratio, tol=1e-10,
                                           max_iter=2000).fit(*as_kinds(X, y)["tessera"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sklearn.linear_model.LogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-8,
                                                            max_iter=20000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-3)
    assert objective(ours, X, y, C, l1_ratio) <= objective(reference, X, y, C, l1_ratio) + 1e-9
    # L1 zeroes the same coefficients
    np.testing.assert_array_equal(np.abs(ours.coef_) < 1e-8, np.abs(reference.coef_) < 1e-4)
    if penalty == "l1":
        assert (np.abs(ours.coef_) < 1e-8).sum() == 2


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_poisson_regression_equals_scikit_learn(solver):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4000, 4))
    y = rng.poisson(np.exp(0.3 + X @ [0.2, -0.1, 0.05, 0.0]))
    C = 10.0
    ours = linear_model.PoissonRegression(C=C, solver=solver, tol=1e-10, max_iter=500)
    ours.fit(*as_kinds(X, y)["tessera"])
    reference = sklearn.linear_model.PoissonRegressor(alpha=1 / (C * len(y)), tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-5, atol=1e-7)
    assert ours.intercept_ == pytest.approx(reference.intercept_, rel=1e-6)
    np.testing.assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-6)
    assert ours.score(X, y) == pytest.approx(reference.score(X, y), rel=1e-6)


def test_kmeans_matches_scikit_learn_and_is_reproducible():
    X, _ = make_blobs(n_samples=6000, centers=5, n_features=4, cluster_std=1.5, random_state=4)
    df = dd.from_pandas(pd.DataFrame(X), npartitions=6)
    ours = cluster.KMeans(n_clusters=5, random_state=0).fit(df)
    reference = sklearn.cluster.KMeans(n_clusters=5, n_init=10, random_state=0).fit(X)
    assert ours.inertia_ == pytest.approx(reference.inertia_, rel=0.01)
    gaps = ((ours.cluster_centers_[:, None] - reference.cluster_centers_[None]) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(gaps)
    np.testing.assert_allclose(ours.cluster_centers_[rows], reference.cluster_centers_[cols], atol=0.05)
    mapping = dict(zip(rows, cols))
    agreement = np.mean(np.vectorize(mapping.get)(ours.labels_) == reference.labels_)
    assert agreement > 0.99
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)
    # the inertia is the sum of squared distances to the assigned centres
    assert ours.inertia_ == pytest.approx(((X - ours.cluster_centers_[ours.labels_]) ** 2).sum(), rel=1e-9)
    again = cluster.KMeans(n_clusters=5, random_state=0).fit(dd.from_pandas(pd.DataFrame(X), npartitions=6))
    np.testing.assert_array_equal(again.cluster_centers_, ours.cluster_centers_)
    np.testing.assert_allclose(ours.transform(X[:3]), np.sqrt(((X[:3, None] - ours.cluster_centers_) ** 2).sum(-1)))


@pytest.mark.parametrize("kind", ["numpy", "tessera", "chunked"])
def test_pca_equals_full_svd(kind):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(3000, 5)) @ rng.normal(size=(5, 5)) + 3
    data, _ = as_kinds(X)[kind]
    ours = decomposition.PCA(n_components=3).fit(data)
    reference = sklearn.decomposition.PCA(n_components=3, svd_solver="full").fit(X)
    for name in ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_", "mean_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(reference, name), rtol=1e-8, atol=1e-10, err_msg=name)
    out = ours.transform(data)
    out = out.compute() if hasattr(out, "compute") else out
    np.testing.assert_allclose(np.asarray(out), reference.transform(X), rtol=1e-8, atol=1e-9)
    assert ours.noise_variance_ == pytest.approx(reference.noise_variance_, rel=1e-8)


def test_truncated_svd_equals_scikit_learn_up_to_sign():
    rng = np.random.default_rng(7)
    X = np.abs(rng.normal(size=(2000, 6)))
    ours = decomposition.TruncatedSVD(n_components=3).fit(dd.from_pandas(pd.DataFrame(X), npartitions=5))
    reference = sklearn.decomposition.TruncatedSVD(n_components=3, algorithm="arpack", random_state=0).fit(X)
    signs = np.sign((ours.components_ * reference.components_).sum(axis=1))
    np.testing.assert_allclose(ours.components_ * signs[:, None], reference.components_, atol=1e-8)
    np.testing.assert_allclose(ours.singular_values_, reference.singular_values_, rtol=1e-8)
    np.testing.assert_allclose(ours.explained_variance_, reference.explained_variance_, rtol=1e-7)
    np.testing.assert_allclose(ours.explained_variance_ratio_, reference.explained_variance_ratio_, rtol=1e-7)


def test_metrics_equal_scikit_learn_on_blocks():
    rng = np.random.default_rng(8)
    y = rng.normal(size=5000)
    pred = y + rng.normal(scale=0.3, size=5000)
    ys, ps = dd.from_pandas(pd.Series(y), npartitions=5), dd.from_pandas(pd.Series(pred), npartitions=3)
    assert metrics.mean_squared_error(ys, ps) == pytest.approx(sklearn.metrics.mean_squared_error(y, pred), rel=1e-12)
    assert metrics.r2_score(ys, ps) == pytest.approx(sklearn.metrics.r2_score(y, pred), rel=1e-10)
    labels = rng.choice(["a", "b", "c"], 5000)
    guessed = np.where(rng.random(5000) < 0.7, labels, "a")
    assert metrics.accuracy_score(dd.from_pandas(pd.Series(labels), npartitions=4), guessed) == \
        sklearn.metrics.accuracy_score(labels, guessed)
    assert metrics.accuracy_score(labels, guessed, normalize=False) == np.sum(labels == guessed)
    proba = rng.dirichlet([1, 1, 1], 5000)
    assert metrics.log_loss(labels, proba) == pytest.approx(sklearn.metrics.log_loss(labels, proba), rel=1e-12)
    with pytest.raises(ValueError, match="different lengths"):
        metrics.accuracy_score(labels, guessed[:10])


def test_train_test_split_is_blockwise_seeded_and_complete():
    X = np.arange(4000.0).reshape(2000, 2)
    y = np.arange(2000)
    df = dd.from_pandas(pd.DataFrame(X, columns=["a", "b"]), npartitions=4)
    ys = dd.from_pandas(pd.Series(y, name="y"), npartitions=4)
    X_train, X_test, y_train, y_test = model_selection.train_test_split(df, ys, test_size=0.2, random_state=3)
    assert isinstance(X_train, dd.DataFrame) and X_train.npartitions == 4
    train, test = X_train.compute(), X_test.compute()
    assert len(test) == 400 and len(train) == 1600
    assert sorted(np.concatenate([train.index, test.index])) == list(range(2000))
    np.testing.assert_array_equal(y_train.compute().to_numpy(), train.a.to_numpy() // 2)  # rows stay paired
    np.testing.assert_array_equal(y_test.compute().index, test.index)
    # each block gives 20% of its own rows to test
    assert [int(((test.index >= 500 * i) & (test.index < 500 * (i + 1))).sum()) for i in range(4)] == [100] * 4
    again = model_selection.train_test_split(df, ys, test_size=0.2, random_state=3)[1].compute()
    pd.testing.assert_frame_equal(again, test)
    other = model_selection.train_test_split(df, ys, test_size=0.2, random_state=4)[1].compute()
    assert not other.index.equals(test.index)
    a_train, a_test = model_selection.train_test_split(X, test_size=0.2, random_state=3)
    assert a_train.shape == (1600, 2) and a_test.shape == (400, 2)
    with pytest.raises(ValueError, match="same rows in the same blocks"):
        model_selection.train_test_split(df, dd.from_pandas(pd.Series(y), npartitions=3))


def test_kfold_splits_a_tessera_frame_like_scikit_learn():
    df = dd.from_pandas(pd.DataFrame({"a": np.arange(103.0)}), npartitions=3)
    ours = list(model_selection.KFold(4, shuffle=True, random_state=0).split(df))
    expected = list(sklearn.model_selection.KFold(4, shuffle=True, random_state=0).split(np.zeros(103)))
    for (a, b), (c, d) in zip(ours, expected):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_parallel_post_fit_and_incremental(classification):
    X, y = classification
    df, ys = as_kinds(X, y)["tessera"]
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    plain = sklearn.linear_model.LogisticRegression().fit(frame, y)
    wrapped = wrappers.ParallelPostFit(sklearn.linear_model.LogisticRegression()).fit(frame, y)
    np.testing.assert_array_equal(wrapped.predict(df), plain.predict(frame))
    np.testing.assert_allclose(wrapped.predict_proba(df), plain.predict_proba(frame))
    assert wrapped.score(df, ys) == plain.score(frame, y)
    assert list(wrapped.classes_) == [0, 1]
    # Incremental: partial_fit over the partitions, in order, equals the same loop by hand
    incremental = wrappers.Incremental(SGDClassifier(random_state=0, tol=None, max_iter=5), shuffle_blocks=False)
    incremental.fit(df, ys, classes=[0, 1])
    manual = SGDClassifier(random_state=0, tol=None, max_iter=5)
    for i in range(df.npartitions):
        manual.partial_fit(df.partitions[i].compute(), ys.partitions[i].compute(), classes=[0, 1])
    np.testing.assert_array_equal(incremental.estimator_.coef_, manual.coef_)
    np.testing.assert_array_equal(incremental.predict(df), manual.predict(frame))
    with pytest.raises(ValueError, match="partial_fit"):
        wrappers.Incremental(sklearn.linear_model.LogisticRegression()).fit(df, ys)


def test_estimator_api_clone_params_and_pipeline(classification):
    X, y = classification
    df, ys = as_kinds(X, y)["tessera"]
    model = linear_model.LogisticRegression(C=0.3, tol=1e-10, max_iter=500)
    assert clone(model).get_params() == model.get_params()
    assert model.set_params(C=0.4).C == 0.4
    ours = make_pipeline(preprocessing.StandardScaler(), model).fit(df, ys)
    reference = make_pipeline(sklearn.preprocessing.StandardScaler(),
                              sklearn.linear_model.LogisticRegression(C=0.4, tol=1e-10, max_iter=10000)).fit(X, y)
    np.testing.assert_allclose(ours[-1].coef_, reference[-1].coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(ours.predict(df), reference.predict(X))
    assert isinstance(ours[-1].coef_, np.ndarray) and isinstance(ours[0].mean_, np.ndarray)


def test_bad_input_is_named():
    X = np.ones((10, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        preprocessing.StandardScaler().fit(X)
    scaler = preprocessing.StandardScaler().fit(np.ones((10, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but StandardScaler was fitted with 2"):
        scaler.transform(np.ones((4, 3)))
    with pytest.raises(ValueError, match="at least 2 classes"):
        linear_model.LogisticRegression().fit(np.ones((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="different numbers of rows"):
        linear_model.LinearRegression().fit(np.ones((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="penalty must be"):
        linear_model.LogisticRegression(penalty="l3").fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(TypeError, match="non-numeric columns"):
        preprocessing.StandardScaler().fit(pd.DataFrame({"a": ["x", "y"]}))
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=5"):
        cluster.KMeans(5).fit(np.eye(3))


def test_fits_run_as_named_tasks_on_a_client(classification):
    X, y = classification
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        df, ys = as_kinds(X, y)["tessera"]
        with get_task_stream(client) as ts:
            linear_model.LogisticRegression().fit(df, ys)
            cluster.KMeans(3, random_state=0).fit(df)
    prefixes = {r["key"].rsplit("-", 1)[0] for r in ts.data if isinstance(r["key"], str)}
    assert {"binary-logistic", "kmeans-step", "kmeans-sample"} <= prefixes, prefixes


def test_categorizer_and_dummy_encoder_give_every_partition_the_same_columns():
    frame = pd.DataFrame({"city": ["Oslo", "Lima", "Pune", "Oslo", "Lima", "Kiev"] * 50,
                          "size": np.arange(300.0)})
    df = dd.from_pandas(frame, npartitions=3)  # "Kiev" and "Pune" do not occur in every partition alike
    categorizer = preprocessing.Categorizer().fit(df)
    assert list(categorizer.columns_) == ["city"]
    assert list(categorizer.categories_["city"].categories) == ["Kiev", "Lima", "Oslo", "Pune"]
    categorized = categorizer.transform(df)
    encoder = preprocessing.DummyEncoder().fit(categorized)
    out = encoder.transform(categorized).compute()
    expected = pd.get_dummies(frame.astype({"city": categorizer.categories_["city"]}), columns=["city"])
    pd.testing.assert_frame_equal(out, expected)
    assert list(encoder.transformed_columns_) == list(expected.columns)
    with pytest.raises(ValueError, match="use Categorizer first"):
        preprocessing.DummyEncoder(columns=["city"]).fit(df)


def test_one_hot_encoder_finds_categories_over_all_blocks():
    frame = pd.DataFrame({"a": list("xyzx") * 25, "b": [1, 2, 1, 3] * 25})
    df = dd.from_pandas(frame, npartitions=4)
    ours = preprocessing.OneHotEncoder(sparse_output=False).fit(df)
    reference = sklearn.preprocessing.OneHotEncoder(sparse_output=False).fit(frame)
    for a, b in zip(ours.categories_, reference.categories_):
        np.testing.assert_array_equal(a, b)
    out = ours.transform(df).compute()
    np.testing.assert_array_equal(out.to_numpy(), reference.transform(frame))
    assert list(out.columns) == list(reference.get_feature_names_out())
    np.testing.assert_array_equal(ours.transform(frame), reference.transform(frame))


def test_cpp_kernels_equal_numpy_formulas():
    from tessera import _core
    rng = np.random.default_rng(9)
    x = rng.normal(size=(500, 4))
    y = (rng.random(500) < 0.4).astype(np.float64)
    w, b = rng.normal(size=4), 0.3
    z = x @ w + b
    loss, grad, grad_b = _core.ml_logistic_loss_gradient(x, y, w, b)
    assert loss == pytest.approx(np.sum(np.logaddexp(0, z) - y * z), rel=1e-12)
    residual = 1 / (1 + np.exp(-z)) - y
    np.testing.assert_allclose(grad[0], residual @ x, rtol=1e-10)
    assert grad_b == pytest.approx(residual.sum(), rel=1e-10)
    counts = rng.poisson(2.0, 500).astype(np.float64)
    loss, grad, _ = _core.ml_poisson_loss_gradient(x, counts, w * 0.1, 0.1)
    mu = np.exp(x @ (w * 0.1) + 0.1)
    assert loss == pytest.approx(np.sum(mu - counts * np.log(mu)), rel=1e-12)
    np.testing.assert_allclose(grad[0], (mu - counts) @ x, rtol=1e-10)
    centers = rng.normal(size=(3, 4))
    labels, sums, sizes, inertia = _core.ml_kmeans_assign(x, centers)
    d = ((x[:, None] - centers[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(labels, d.argmin(1))
    np.testing.assert_allclose(sums, [x[labels == c].sum(0) for c in range(3)], rtol=1e-12)
    np.testing.assert_array_equal(sizes, np.bincount(labels, minlength=3))
    assert inertia == pytest.approx(d.min(1).sum(), rel=1e-12)
    with pytest.raises(ValueError, match="y has 3 values for 500 rows"):
        _core.ml_logistic_loss_gradient(x, y[:3], w, b)
