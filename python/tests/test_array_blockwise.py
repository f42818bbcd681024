"""map_blocks, blockwise, map_overlap (scipy.ndimage as the oracle), apply_gufunc, .blocks."""

import numpy as np
import pytest
import scipy.ndimage as ndi

import tessera.array as da

RNG = np.random.default_rng(11)
IMAGE = RNG.random((37, 41)).astype(np.float32)


def test_map_blocks_shapes_and_dtypes():
    x = da.from_array(IMAGE, chunks=(10, 12))
    y = x.map_blocks(lambda b: b * 2, dtype=np.float32)
    np.testing.assert_allclose(y.compute(), IMAGE * 2)
    s = x.map_blocks(lambda b: b.sum(axis=0), drop_axis=0, dtype=np.float32)
    np.testing.assert_allclose(s.compute(), IMAGE.sum(axis=0), rtol=1e-5)
    e = da.map_blocks(lambda b: b[..., None] * np.arange(3), x, new_axis=2, chunks=x.chunks + ((3,),))
    assert e.shape == (37, 41, 3)
    np.testing.assert_allclose(e.compute(), IMAGE[..., None] * np.arange(3))
    z = da.map_blocks(np.add, x, da.from_array(IMAGE[0], chunks=7))  # broadcasting across chunkings
    np.testing.assert_allclose(z.compute(), IMAGE + IMAGE[0])
    assert x.map_blocks(lambda b: b.astype(int)).dtype == np.int64  # inferred
    assert x.map_blocks(lambda b: b, meta=np.array((), dtype=np.int8)).dtype == np.int8


def test_map_blocks_block_info_and_id():
    x = da.from_array(np.arange(20), chunks=6)

    def offset(b, block_info=None):
        start = block_info[0]["array-location"][0][0]
        return np.full(b.shape, start)

    np.testing.assert_array_equal(x.map_blocks(offset, dtype=int).compute(), np.repeat([0, 6, 12, 18], [6, 6, 6, 2]))
    ids = x.map_blocks(lambda b, block_id=None: np.full(b.shape, block_id[0]), dtype=int).compute()
    np.testing.assert_array_equal(ids, np.repeat([0, 1, 2, 3], [6, 6, 6, 2]))


def test_blockwise_contraction_and_new_axes():
    a = RNG.random((8, 6))
    b = RNG.random((6, 5))
    x, y = da.from_array(a, chunks=(3, 2)), da.from_array(b, chunks=(4, 5))

    def matmul_lists(xs, ys):
        return sum(p @ q for p, q in zip(xs, ys))

    out = da.blockwise(matmul_lists, "ik", x, "ij", y, "jk", dtype=float)
    np.testing.assert_allclose(out.compute(), a @ b)
    out2 = da.blockwise(lambda p, q: p @ q, "ik", x, "ij", y, "jk", concatenate=True, dtype=float)
    np.testing.assert_allclose(out2.compute(), a @ b)
    t = da.blockwise(np.transpose, "ji", x, "ij", dtype=float)
    np.testing.assert_allclose(t.compute(), a.T)
    n = da.blockwise(lambda p: p[..., None] * np.ones(4), "ijk", x, "ij", new_axes={"k": 4}, dtype=float)
    assert n.shape == (8, 6, 4)
    np.testing.assert_allclose(n.compute(), a[..., None] * np.ones(4))


@pytest.mark.parametrize("boundary, mode", [("reflect", "reflect"), ("periodic", "wrap"), ("nearest", "nearest"),
                                            (0, "constant")])
@pytest.mark.parametrize("chunks", [(10, 12), ((5, 20, 12), (41,)), -1])
def test_map_overlap_matches_scipy(boundary, mode, chunks):
    x = da.from_array(IMAGE, chunks=chunks)
    got = x.map_overlap(ndi.gaussian_filter, depth=5, boundary=boundary, sigma=1.2, mode=mode, truncate=4.0)
    expected = ndi.gaussian_filter(IMAGE, sigma=1.2, mode=mode, truncate=4.0)
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-5, atol=1e-6)
    assert got.chunks == x.chunks


def test_map_overlap_default_boundary_none_and_filters():
    x = da.from_array(IMAGE, chunks=(9, 10))
    got = da.map_overlap(ndi.uniform_filter, x, depth=2, size=5)  # the filter pads the edges itself
    np.testing.assert_allclose(got.compute(), ndi.uniform_filter(IMAGE, size=5), rtol=1e-5)
    med = x.map_overlap(ndi.median_filter, depth={0: 1, 1: 1}, boundary="reflect", size=3)
    np.testing.assert_allclose(med.compute(), ndi.median_filter(IMAGE, size=3, mode="reflect"))
    small = da.from_array(IMAGE, chunks=2)  # blocks thinner than the depth are merged first
    np.testing.assert_allclose(small.map_overlap(ndi.gaussian_filter, depth=3, boundary="reflect", sigma=0.7,
                                                 truncate=4.0).compute(),
                               ndi.gaussian_filter(IMAGE, 0.7, truncate=4.0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="boundary"):
        x.map_overlap(ndi.uniform_filter, depth=1, boundary="mirror")


def test_overlap_and_trim():
    a = np.arange(30.0).reshape(5, 6)
    x = da.from_array(a, chunks=(3, 3))
    g = da.overlap(x, depth={0: 1, 1: 1}, boundary="periodic")
    assert g.chunks == ((5, 4), (5, 5))
    first = g.blocks[0, 0].compute()
    np.testing.assert_array_equal(first, np.pad(a, 1, mode="wrap")[:5, :5])
    np.testing.assert_array_equal(da.trim_internal(g, {0: 1, 1: 1}, boundary="periodic").compute(), a)


def test_apply_gufunc():
    a = RNG.random((7, 9))
    x = da.from_array(a, chunks=(3, -1))
    m = da.apply_gufunc(lambda v: v.mean(axis=-1), "(i)->()", x, output_dtypes=float)
    np.testing.assert_allclose(m.compute(), a.mean(axis=1))
    o = da.apply_gufunc(lambda v: np.stack([v.min(-1), v.max(-1)], -1), "(i)->(j)", x, output_sizes={"j": 2},
                        output_dtypes=float)
    np.testing.assert_allclose(o.compute(), np.stack([a.min(1), a.max(1)], 1))
    with pytest.raises(ValueError, match="core dimension"):
        da.apply_gufunc(np.sum, "(i)->()", da.from_array(a, chunks=3), output_dtypes=float)


def test_scipy_label_per_chunk():
    mask = da.from_array(IMAGE > 0.7, chunks=(12, 14))
    counts = mask.map_blocks(lambda b: np.array([[ndi.label(b)[1]]]), chunks=((1,) * 4, (1,) * 3), dtype=int)
    expected = [[ndi.label((IMAGE > 0.7)[i:i + 12, j:j + 14])[1] for j in range(0, 41, 14)] for i in range(0, 37, 12)]
    np.testing.assert_array_equal(counts.compute(), expected)
