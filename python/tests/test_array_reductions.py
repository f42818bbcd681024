"""Reductions of tessera.array against NumPy: every axis combination, keepdims, dtypes, NaNs,
tree depths (split_every), cumulative sums, topk, histogram and percentiles."""

import numpy as np
import pytest

import tessera.array as da

RNG = np.random.default_rng(3)
DATA = RNG.normal(size=(9, 8, 7))
DATA_NAN = DATA.copy()
DATA_NAN[RNG.random(DATA.shape) < 0.2] = np.nan
INTS = RNG.integers(-5, 6, size=(9, 8, 7))

CHUNKINGS = [-1, (4, 3, 7), ((1, 5, 3), (8,), (2, 2, 3)), 1]
AXES = [None, 0, 1, 2, -1, (0, 2), (0, 1, 2)]


def close(actual, expected, rtol=1e-7):
    actual = actual.compute()
    assert np.shape(actual) == np.shape(expected), (np.shape(actual), np.shape(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-12, equal_nan=True)
    return actual


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "prod", "mean", "min", "max", "any", "all"])
def test_reductions(chunks, axis, keepdims, name):
    x = da.from_array(DATA, chunks=chunks)
    got = getattr(da, name)(x, axis=axis, keepdims=keepdims, split_every=2)
    expected = getattr(np, name)(DATA, axis=axis, keepdims=keepdims)
    assert got.dtype == np.asarray(expected).dtype
    close(got, expected)


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("axis", [None, 0, (1, 2)])
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_std(chunks, axis, ddof):
    x = da.from_array(DATA, chunks=chunks)
    close(x.var(axis=axis, ddof=ddof, split_every=3), DATA.var(axis=axis, ddof=ddof))
    close(da.std(x, axis=axis, ddof=ddof, keepdims=True), DATA.std(axis=axis, ddof=ddof, keepdims=True))
    close(da.nanvar(da.from_array(DATA_NAN, chunks=chunks), axis=axis, ddof=ddof),
          np.nanvar(DATA_NAN, axis=axis, ddof=ddof))


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanstd"])
def test_nan_reductions(chunks, name):
    x = da.from_array(DATA_NAN, chunks=chunks)
    for axis in [None, 0, (1, 2)]:
        close(getattr(da, name)(x, axis=axis), getattr(np, name)(DATA_NAN, axis=axis))
    close(x.sum(axis=1), DATA_NAN.sum(axis=1))  # NaN propagates in the plain version


def test_integer_and_bool_dtypes():
    x = da.from_array(INTS, chunks=(4, 3, 2))
    for name in ["sum", "prod", "min", "max", "mean", "var"]:
        got = getattr(x, name)(axis=1)
        expected = getattr(INTS, name)(axis=1)
        assert got.dtype == expected.dtype, name
        close(got, expected)
    b = da.from_array(INTS > 0, chunks=3)
    assert b.sum().dtype == (INTS > 0).sum().dtype
    close(b.sum(axis=0), (INTS > 0).sum(axis=0))
    close(x.sum(dtype=np.int8), INTS.sum(dtype=np.int8))
    f32 = da.from_array(DATA.astype(np.float32), chunks=4)
    assert f32.mean().dtype == np.float32 and f32.std().dtype == np.float32


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("name", ["argmin", "argmax"])
def test_arg_reductions(chunks, name):
    x = da.from_array(DATA, chunks=chunks)
    for axis in [None, 0, 1, -1]:
        same = getattr(da, name)(x, axis=axis, split_every=2)
        np.testing.assert_array_equal(same.compute(), getattr(np, name)(DATA, axis=axis))
    np.testing.assert_array_equal(getattr(x, name)(axis=1, keepdims=True).compute(),
                                  getattr(DATA, name)(axis=1, keepdims=True))
    nan_name = "nan" + name
    y = da.from_array(DATA_NAN, chunks=chunks)
    np.testing.assert_array_equal(getattr(da, nan_name)(y, axis=0).compute(), getattr(np, nan_name)(DATA_NAN, axis=0))


def test_reduction_errors():
    x = da.from_array(DATA, chunks=4)
    with pytest.raises(np.exceptions.AxisError):
        x.sum(axis=3)
    with pytest.raises(ValueError, match="duplicate"):
        x.sum(axis=(0, 0))
    with pytest.raises(ValueError, match="no identity"):
        da.from_array(np.zeros((0, 3)), chunks=2).max(axis=0)
    with pytest.raises(ValueError, match="empty sequence"):
        da.from_array(np.zeros((0, 3)), chunks=2).argmax(axis=0)


@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_cumulative(chunks):
    x = da.from_array(DATA_NAN, chunks=chunks)
    for axis in [0, 1, 2, None]:
        close(x.cumsum(axis=axis), np.cumsum(DATA_NAN, axis=axis))
        close(da.nancumsum(x, axis=axis), np.nancumsum(DATA_NAN, axis=axis))
    small = da.from_array(INTS % 3 + 1, chunks=chunks)
    close(small.cumprod(axis=1), np.cumprod(INTS % 3 + 1, axis=1))
    assert small.cumsum(axis=0).dtype == np.cumsum(INTS % 3 + 1, axis=0).dtype


def test_topk():
    flat = DATA.ravel()
    x = da.from_array(flat, chunks=37)
    close(da.topk(x, 5), np.sort(flat)[::-1][:5])
    close(da.topk(x, -4), np.sort(flat)[:4])
    x2 = da.from_array(DATA, chunks=(4, 3, 2))
    close(x2.topk(3, axis=1), -np.sort(-DATA, axis=1)[:, :3])
    np.testing.assert_array_equal(da.argtopk(x, 3).compute(), np.argsort(flat)[::-1][:3])
    close(da.topk(x, 1000), np.sort(flat)[::-1])


def test_histogram():
    x = da.from_array(DATA_NAN, chunks=(4, 3, 2))
    counts, edges = da.histogram(x, bins=10, range=(-3, 3))
    ref_counts, ref_edges = np.histogram(DATA_NAN, bins=10, range=(-3, 3))
    np.testing.assert_array_equal(counts.compute(), ref_counts)
    np.testing.assert_allclose(edges, ref_edges)
    w = np.abs(DATA)
    counts, _ = da.histogram(da.from_array(DATA, chunks=3), bins=[-2, -1, 0, 0.5, 4], weights=da.from_array(w, chunks=4))
    close(counts, np.histogram(DATA, bins=[-2, -1, 0, 0.5, 4], weights=w)[0])
    with pytest.raises(ValueError, match="range="):
        da.histogram(x, bins=10)


def test_percentile_exact_on_one_block_and_close_on_many():
    v = RNG.normal(size=20000)
    q = [0, 5, 25, 50, 90, 100]
    close(da.percentile(da.from_array(v, chunks=-1), q), np.percentile(v, q))
    approx = da.percentile(da.from_array(v, chunks=3000), q).compute()
    np.testing.assert_allclose(approx, np.percentile(v, q), atol=0.05)
    assert approx[0] == v.min() and approx[-1] == v.max()


def test_median_moment_and_average():
    x = da.from_array(DATA, chunks=(4, 3, 2))
    close(da.median(x, axis=1), np.median(DATA, axis=1))
    close(da.nanmedian(da.from_array(DATA_NAN, chunks=4), axis=(0, 2)), np.nanmedian(DATA_NAN, axis=(0, 2)))
    w = RNG.random(DATA.shape)
    close(da.average(x, axis=0, weights=da.from_array(w, chunks=5)), np.average(DATA, axis=0, weights=w))
    close(da.ptp(x, axis=2), np.ptp(DATA, axis=2))
    close(da.count_nonzero(da.from_array(INTS, chunks=3), axis=0), np.count_nonzero(INTS, axis=0))


def test_tree_depth_follows_split_every():
    x = da.ones((64,), chunks=1)
    names = {k[0] for k in x.sum(split_every=4).__dask_graph__()}
    assert sum(1 for n in names if n.startswith("sum-partial")) == 2  # 64 -> 16 -> 4 -> aggregate
    assert x.sum(split_every=4).compute() == 64


def test_parameters_of_a_reduction_are_part_of_its_keys():
    import tessera
    x = da.from_array(DATA, chunks=4)
    v0, v1, s1 = tessera.compute(x.var(ddof=0), x.var(ddof=1), x.std(ddof=1))
    np.testing.assert_allclose([v0, v1, s1], [DATA.var(), DATA.var(ddof=1), DATA.std(ddof=1)])
    u, c = da.unique(da.from_array(INTS, chunks=4), return_counts=True)
    plain = da.unique(da.from_array(INTS, chunks=4))
    ref_u, ref_c = np.unique(INTS, return_counts=True)
    got_u, got_c, got_plain = tessera.compute(u, c, plain)
    np.testing.assert_array_equal(got_u, ref_u)
    np.testing.assert_array_equal(got_c, ref_c)
    np.testing.assert_array_equal(got_plain, ref_u)
