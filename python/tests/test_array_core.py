"""tessera.array against NumPy: creation, chunks, elementwise operations, indexing, shapes and
rechunking across chunkings (one block, uneven blocks, blocks of one element, empty arrays)."""

import math
import operator

import numpy as np
import pytest

import tessera
import tessera.array as da

RNG = np.random.default_rng(42)
BASE = RNG.normal(size=(13, 11))
BASE_NAN = BASE.copy()
BASE_NAN[RNG.random(BASE.shape) < 0.15] = np.nan

CHUNKINGS = [-1, (5, 4), ((3, 7, 3), (1, 10)), 1]


def close(actual, expected, **kw):
    actual = actual.compute() if isinstance(actual, da.Array) else actual
    assert isinstance(actual, (np.ndarray, np.generic, float, int, bool)), type(actual)
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), equal_nan=True, **kw)
    assert np.asarray(actual).shape == np.asarray(expected).shape


def same(actual, expected):
    actual = actual.compute() if isinstance(actual, da.Array) else actual
    np.testing.assert_array_equal(actual, expected)
    assert actual.dtype == np.asarray(expected).dtype, (actual.dtype, np.asarray(expected).dtype)


# -- chunks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("chunks, expected", [
    (4, ((4, 4, 2), (4, 4, 4, 3))),
    ((5, -1), ((5, 5), (15,))),
    (((3, 7), (15,)), ((3, 7), (15,))),
    ({0: 2}, ((2,) * 5, (15,))),
    ((None, 6), ((10,), (6, 6, 3))),
])
def test_normalize_chunks(chunks, expected):
    x = da.ones((10, 15), chunks=chunks)
    assert x.chunks == expected
    assert x.numblocks == tuple(len(c) for c in expected)
    assert x.shape == (10, 15) and x.size == 150 and x.nbytes == 1200 and x.ndim == 2


def test_chunk_bytes_and_auto():
    x = da.ones((4000, 4000), chunks="8 MB")  # 1,000,000 float64 -> 1000 x 1000
    assert x.chunksize == (1000, 1000)
    y = da.ones((10, 10_000_000), chunks="auto")
    assert math.prod(y.chunksize) * 8 <= 128 * 2**20
    assert y.chunks[0] == (10,)
    with pytest.raises(ValueError, match="add up to"):
        da.ones((10,), chunks=((3, 3),))
    with pytest.raises(ValueError, match="entries for an array of 2"):
        da.ones((4, 4), chunks=(2, 2, 2))


# -- creation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_from_array_roundtrip(chunks):
    x = da.from_array(BASE, chunks=chunks)
    same(x, BASE)
    assert x.dtype == BASE.dtype and x.shape == BASE.shape


def test_from_array_like_objects():
    class Store:  # an h5py/zarr-like object: shape, dtype and slicing only
        shape, dtype, ndim = BASE.shape, BASE.dtype, 2

        def __getitem__(self, index):
            return BASE[index]
    same(da.from_array(Store(), chunks=4), BASE)
    same(da.asarray([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    same(da.from_array(np.float32(3.5)), np.asarray(np.float32(3.5)))


def test_empty_arrays():
    e = da.from_array(np.zeros((0, 4)), chunks=2)
    assert e.shape == (0, 4)
    same(e, np.zeros((0, 4)))
    same(e.sum(axis=0), np.zeros(4))
    close(e.mean(axis=1), np.zeros((0,)))
    same(da.arange(0, chunks=3), np.arange(0))


@pytest.mark.parametrize("func, args", [
    ("zeros", ((7, 5),)), ("ones", ((7, 5),)), ("full", ((7, 5), 2.5)), ("empty", ((7, 5),))])
def test_constants(func, args):
    x = getattr(da, func)(*args, chunks=3)
    expected = getattr(np, func)(*args)
    assert x.shape == expected.shape and x.dtype == expected.dtype
    if func != "empty":
        same(x, expected)
    like = getattr(da, func + "_like")(da.from_array(BASE, chunks=4), *args[1:])
    assert like.shape == BASE.shape and like.chunks == da.from_array(BASE, chunks=4).chunks


@pytest.mark.parametrize("args", [(10,), (2, 20, 3), (5.0, 1.0, -0.5), (0, 1, 0.1)])
def test_arange(args):
    close(da.arange(*args, chunks=3), np.arange(*args))
    assert da.arange(*args, chunks=3).dtype == np.arange(*args).dtype


@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace_eye(endpoint):
    close(da.linspace(-2, 7, 23, endpoint=endpoint, chunks=5), np.linspace(-2, 7, 23, endpoint=endpoint))
    same(da.eye(7, chunks=3, M=9, k=2), np.eye(7, 9, k=2))
    same(da.eye(5, chunks=2, k=-1, dtype=int), np.eye(5, k=-1, dtype=int))


def test_random_same_values_whatever_the_chunking():
    shapes = [(100,), (37, 29), (9, 8, 7)]
    for shape in shapes:
        ref = da.random.default_rng(123).random(shape, chunks=-1).compute()
        for chunks in [1 if len(shape) < 3 else 3, 7, "auto"]:
            got = da.random.default_rng(123).random(shape, chunks=chunks).compute()
            np.testing.assert_array_equal(got, ref)
    for shape, chunkings in [((600, 530), [(77, 530), (600, 41), (256, 256), (1000, 1000)]),
                             ((70000,), [3001, 65536, 70000]), ((40, 70, 33), [(7, 11, 33), (40, 33, 5)])]:
        ref = da.random.default_rng(7).standard_normal(shape, chunks=-1).compute()
        for chunks in chunkings:  # several tiles per block and several blocks per tile
            np.testing.assert_array_equal(da.random.default_rng(7).standard_normal(shape, chunks=chunks).compute(), ref)
    a = da.random.RandomState(5).normal(2.0, 3.0, size=(40, 50), chunks=(7, 9)).compute()
    b = da.random.RandomState(5).normal(2.0, 3.0, size=(40, 50), chunks=(40, 1)).compute()
    np.testing.assert_array_equal(a, b)
    i1 = da.random.default_rng(9).integers(0, 10, size=(300,), chunks=11).compute()
    i2 = da.random.default_rng(9).integers(0, 10, size=(300,), chunks=300).compute()
    np.testing.assert_array_equal(i1, i2)
    assert i1.min() >= 0 and i1.max() <= 9 and i1.dtype == np.int64


def test_random_distributions_and_draws_differ():
    rng = da.random.default_rng(1)
    first, second = rng.random((5000,), chunks=700), rng.random((5000,), chunks=700)
    a, b = first.compute(), second.compute()
    assert not np.array_equal(a, b)
    assert 0 <= a.min() and a.max() < 1 and abs(a.mean() - 0.5) < 0.02
    n = da.random.normal(10, 2, size=(20000,), chunks=3000).compute()
    assert abs(n.mean() - 10) < 0.1 and abs(n.std() - 2) < 0.1
    u = da.random.uniform(-1, 3, size=(100, 100), chunks=33).compute()
    assert u.min() >= -1 and u.max() < 3
    r = da.random.randint(5, 8, size=(1000,), chunks=100).compute()
    assert set(np.unique(r)) == {5, 6, 7}
    assert da.random.random((10, 10), chunks=5).name.startswith("random_sample-")
    c = da.random.default_rng(3).choice([10, 20, 30], size=50, chunks=7).compute()
    assert set(c) <= {10, 20, 30}


def test_from_delayed_stack_concatenate_block():
    value = tessera.delayed(lambda: np.arange(6.0).reshape(2, 3))()
    x = da.from_delayed(value, shape=(2, 3), dtype=float)
    same(x, np.arange(6.0).reshape(2, 3))
    parts = [BASE[:5], BASE[5:6], BASE[6:]]
    arrs = [da.from_array(p, chunks=(2, 4)) for p in parts]
    same(da.concatenate(arrs), BASE)
    same(da.concatenate([da.from_array(BASE, chunks=3), da.from_array(BASE, chunks=5)], axis=1),
         np.concatenate([BASE, BASE], axis=1))
    same(da.stack([da.from_array(BASE, chunks=4)] * 3, axis=1), np.stack([BASE] * 3, axis=1))
    a, b = np.ones((2, 2)), np.zeros((2, 3))
    same(da.block([[da.from_array(a), da.from_array(b)], [da.from_array(b[:, :2]), da.from_array(a[:, :1].repeat(3, 1))]]),
         np.block([[a, b], [b[:, :2], a[:, :1].repeat(3, 1)]]))
    with pytest.raises(ValueError, match="dimension 1"):
        da.concatenate([da.ones((2, 3)), da.ones((2, 4))])


# -- elementwise -------------------------------------------------------------------------------

@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                                operator.lt, operator.eq, operator.ge])
def test_binary_operators(chunks, op):
    x = da.from_array(BASE_NAN, chunks=chunks)
    y = da.from_array(BASE[::-1], chunks=(4, 3))  # another chunking: aligned by rechunking
    with np.errstate(all="ignore"):
        expected = op(BASE_NAN, BASE[::-1])
        close(op(x, y), expected)
        close(op(x, 2), op(BASE_NAN, 2))
        close(op(3, x), op(3, BASE_NAN))


def test_broadcasting_and_scalars_keep_numpy_dtypes():
    x32 = da.from_array(BASE.astype(np.float32), chunks=5)
    assert (x32 + 1.5).dtype == np.float32
    assert (x32 + da.ones(11, chunks=3)).dtype == np.float64
    row = da.from_array(np.arange(11.0), chunks=4)
    col = da.from_array(np.arange(13.0)[:, None], chunks=(6, 1))
    close(col * row, np.arange(13.0)[:, None] * np.arange(11.0))
    close(da.from_array(BASE, chunks=5) - BASE.mean(axis=0), BASE - BASE.mean(axis=0))
    with pytest.raises(ValueError, match="could not be broadcast"):
        da.ones((3, 4)) + da.ones((5,))


def test_ufuncs_and_array_function():
    x = da.from_array(np.abs(BASE) + 0.1, chunks=(4, 5))
    base = np.abs(BASE) + 0.1
    for f in [np.sin, np.exp, np.log, np.sqrt, np.isnan, np.negative]:
        y = f(x)
        assert isinstance(y, da.Array)
        close(y, f(base))
    close(np.maximum(x, 0.5), np.maximum(base, 0.5))
    close(da.log1p(x), np.log1p(base))
    frac, whole = np.modf(x)
    close(frac, np.modf(base)[0])
    close(whole, np.modf(base)[1])
    s = np.sum(x, axis=0)
    assert isinstance(s, da.Array)
    close(s, base.sum(axis=0))
    close(np.where(x > 1, x, -x), np.where(base > 1, base, -base))
    close(np.concatenate([x, x]), np.concatenate([base, base]))
    close(np.add.outer(da.arange(3, chunks=2), da.arange(4, chunks=3)), np.add.outer(np.arange(3), np.arange(4)))


def test_where_clip_astype():
    x = da.from_array(BASE_NAN, chunks=(4, 3))
    close(da.where(x > 0, x, 0), np.where(BASE_NAN > 0, BASE_NAN, 0))
    close(x.clip(-0.5, 0.5), np.clip(BASE_NAN, -0.5, 0.5))
    close(da.clip(x, min=0), np.clip(BASE_NAN, 0, None))
    same(x.astype(np.float32), BASE_NAN.astype(np.float32))
    same((x > 0).astype(int), (BASE_NAN > 0).astype(int))
    with pytest.raises(TypeError, match="cannot cast"):
        x.astype(int, casting="safe")


# -- indexing ----------------------------------------------------------------------------------

INDEXES = [
    5, -1, (2, 3), slice(2, 9), slice(None, None, 2), slice(None, None, -1), slice(10, 1, -3),
    (slice(1, 12, 4), slice(None, None, -2)), (Ellipsis, 3), (None, slice(2, 5)), (slice(None), None, 4),
    [0, 5, 5, 2, 12], (slice(None), [10, 0, 3]), np.array([-1, 0]), BASE[:, 0] > 0, (slice(3, 3),),
    (slice(100, 200),), (Ellipsis,), (2, None, Ellipsis, None),
]


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("index", INDEXES, ids=[repr(i)[:30] for i in INDEXES])
def test_getitem(chunks, index):
    x = da.from_array(BASE, chunks=chunks)
    expected = BASE[index]
    got = x[index]
    assert got.shape == expected.shape
    same(got, expected)


def test_getitem_errors():
    x = da.from_array(BASE, chunks=4)
    with pytest.raises(IndexError, match="out of bounds"):
        x[13]
    with pytest.raises(IndexError, match="too many indices"):
        x[1, 2, 3]
    with pytest.raises(IndexError, match="out of bounds"):
        x[[0, 40]]
    with pytest.raises(NotImplementedError, match="vindex"):
        x[[0, 1], [1, 2]]


@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_boolean_masks_give_unknown_chunks(chunks):
    x = da.from_array(BASE_NAN, chunks=chunks)
    masked = x[x > 0]
    assert all(math.isnan(c) for c in masked.chunks[0])
    assert math.isnan(masked.shape[0])
    same(masked, BASE_NAN[BASE_NAN > 0])
    close(masked.sum(), BASE_NAN[BASE_NAN > 0].sum())
    rows = x[da.from_array(BASE[:, 0] > 0, chunks=5)]
    same(rows, BASE_NAN[BASE[:, 0] > 0])
    sized = x[x > 0].compute_chunk_sizes()
    assert sized.shape == (int((BASE_NAN > 0).sum()),)


def test_vindex_and_blocks():
    x = da.from_array(BASE, chunks=(4, 3))
    i, j = np.array([0, 12, 5, 5]), np.array([10, 0, 3, -1])
    same(x.vindex[i, j], BASE[i, j])
    same(x.vindex[np.array([[1, 2], [3, 4]]), np.array([0, 1])], BASE[np.array([[1, 2], [3, 4]]), np.array([0, 1])])
    same(x.blocks[1, 2], BASE[4:8, 6:9])
    same(x.blocks[::-2], np.concatenate([BASE[12:13], BASE[4:8]]))
    assert x.blocks.shape == (4, 4) and len(x.partitions.ravel()) == 16


def test_setitem():
    x = da.from_array(BASE.copy(), chunks=(4, 3))
    expected = BASE.copy()
    x[x > 1] = 0
    expected[expected > 1] = 0
    x[2:9:3, ::-2] = -5
    expected[2:9:3, ::-2] = -5
    x[0] = np.arange(11)
    expected[0] = np.arange(11)
    x[..., 4] = da.arange(13, chunks=5) * 1.0
    expected[..., 4] = np.arange(13)
    same(x, expected)


# -- shapes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_shape_functions(chunks):
    x = da.from_array(BASE, chunks=chunks)
    same(x.T, BASE.T)
    same(x.transpose(1, 0), BASE.T)
    cube = BASE[:12].reshape(3, 4, 11)
    c = da.from_array(cube, chunks=(2, 3, 5))
    same(da.transpose(c, (2, 0, 1)), np.transpose(cube, (2, 0, 1)))
    same(da.moveaxis(c, 0, -1), np.moveaxis(cube, 0, -1))
    same(x.reshape(11, 13), BASE.reshape(11, 13))
    same(x.reshape(-1), BASE.ravel())
    same(x.ravel(), BASE.ravel())
    same(c.reshape((12, 11)), cube.reshape(12, 11))
    same(da.expand_dims(x, (0, 2)), np.expand_dims(BASE, (0, 2)))
    same(x[None, :, None].squeeze(), BASE)
    same(da.squeeze(x[:, 3:4], axis=1), BASE[:, 3])
    same(x.swapaxes(0, 1), BASE.swapaxes(0, 1))
    with pytest.raises(ValueError, match="cannot reshape"):
        x.reshape(5, 5)


@pytest.mark.parametrize("new", [1, (13, 11), ((1, 12), (5, 6)), "auto", {1: 2}, (7, -1)])
def test_rechunk(new):
    x = da.from_array(BASE, chunks=(4, 3))
    y = x.rechunk(new)
    same(y, BASE)
    if new == 1:
        assert y.chunks == ((1,) * 13, (1,) * 11)
    if new == (7, -1):
        assert y.chunks == ((7, 6), (11,))


def test_rechunk_tasks_hold_at_most_one_input_block():
    x = da.ones((100, 100), chunks=(100, 10))
    y = x.rechunk((10, 100))
    graph = y.__dask_graph__()
    merges = [k for k in graph if k[0].startswith("rechunk-merge")]
    splits = [k for k in graph if k[0].startswith("rechunk-split")]
    assert len(merges) == 10 and len(splits) == 100
    for k in splits:  # a split task reads one input block
        assert sum(1 for a in graph[k][1:] if isinstance(a, tuple) and a and isinstance(a[0], str)) == 1
    same(y, np.ones((100, 100)))


# -- computing -----------------------------------------------------------------------------------

def test_compute_persist_and_dask_protocol():
    import dask
    x = da.from_array(BASE, chunks=(4, 5))
    y = (x + 1) * 2
    p = y.persist()
    assert p.chunks == y.chunks
    close(p.sum(), ((BASE + 1) * 2).sum())
    a, b = tessera.compute(y.sum(), y.mean(axis=0))
    close(a, ((BASE + 1) * 2).sum())
    close(b, ((BASE + 1) * 2).mean(axis=0))
    (c,) = dask.compute(y)
    same(c, (BASE + 1) * 2)
    (d,) = dask.compute(p[2:5].max())
    close(d, ((BASE + 1) * 2)[2:5].max())
    assert dask.base.tokenize(y) == dask.base.tokenize(y)
    keys = y.__dask_keys__()
    assert len(keys) == 4 and keys[0][0][0] == y.name
    assert np.asarray(y).shape == BASE.shape
    assert float(x[0, 0]) == BASE[0, 0]


def test_keys_carry_dask_prefixes():
    x = da.random.random((10, 10), chunks=5)
    y = (x + 1).sum()
    names = {k[0].rsplit("-", 1)[0] for k in y.__dask_graph__()}
    assert {"random_sample", "add", "sum_chunk", "sum-aggregate"} <= names
    assert (x.mean()).__dask_graph__().keys().__iter__().__next__() is not None
    assert any(n.startswith("mean_chunk") for n in {k[0] for k in x.mean().__dask_graph__()})


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad(mode):
    x = da.from_array(BASE, chunks=(4, 3))
    widths = ((2, 1), (0, 3))
    kwargs = {"constant_values": 7.5} if mode == "constant" else {}
    same(da.pad(x, widths, mode=mode, **kwargs), np.pad(BASE, widths, mode=mode, **kwargs))
    same(da.pad(x, 2, mode=mode), np.pad(BASE, 2, mode=mode))


def test_zero_dimensional_results_are_numpy_scalars():
    x = da.from_array(BASE, chunks=4)
    total = x.sum().compute()
    assert isinstance(total, np.float64) and np.isclose(total, BASE.sum())
    assert x.sum().shape == () and x.sum().ndim == 0
    assert isinstance(x[0, 0].compute(), np.float64)


def test_distinct_operations_get_distinct_keys():
    x = da.from_array(BASE, chunks=(4, 3))
    a, b = x.cumsum(axis=0), x.cumsum(axis=1)
    assert a.name != b.name
    frac, whole = np.modf(x)
    assert frac.name != whole.name
    got = tessera.compute(a, b, frac, whole)
    for value, expected in zip(got, [BASE.cumsum(0), BASE.cumsum(1), *np.modf(BASE)]):
        np.testing.assert_allclose(value, expected)
    f1, f2 = [x.map_blocks(lambda blk, k=k: blk + k) for k in (1, 2)]
    assert f1.name != f2.name
    np.testing.assert_allclose(f2.compute() - f1.compute(), np.ones_like(BASE))
    assert da.from_array(BASE, chunks=4).sum().name == da.from_array(BASE, chunks=4).sum().name


@pytest.mark.parametrize("kwargs", [{}, {"n": 2}, {"prepend": 0}, {"append": [[1.0], [2.0], [3.0], [4.0]]},
                                    {"prepend": 1.5, "append": 2, "n": 2}, {"axis": 0, "prepend": -1}])
def test_diff_with_prepend_and_append(kwargs):
    x = np.arange(20.0).reshape(4, 5) ** 2
    np.testing.assert_allclose(da.diff(da.from_array(x, chunks=2), **kwargs).compute(), np.diff(x, **kwargs))
