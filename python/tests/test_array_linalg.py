"""Linear algebra of tessera.array against NumPy/SciPy."""

import numpy as np
import pytest
import scipy.linalg

import tessera
import tessera.array as da

RNG = np.random.default_rng(5)
A = RNG.normal(size=(60, 8))
B = RNG.normal(size=(8, 11))
SQUARE = RNG.normal(size=(9, 9)) + 9 * np.eye(9)


@pytest.mark.parametrize("chunks_a, chunks_b", [(-1, -1), ((7, 3), (3, 4)), ((20, 8), (8, 5)), (1, 1)])
def test_products(chunks_a, chunks_b):
    x, y = da.from_array(A, chunks=chunks_a), da.from_array(B, chunks=chunks_b)
    np.testing.assert_allclose((x @ y).compute(), A @ B)
    np.testing.assert_allclose(da.dot(x, y).compute(), A @ B)
    np.testing.assert_allclose(np.dot(x, y).compute(), A @ B)
    np.testing.assert_allclose(da.tensordot(x, y, axes=1).compute(), np.tensordot(A, B, axes=1))
    np.testing.assert_allclose(da.einsum("ij,jk->ik", x, y).compute(), np.einsum("ij,jk->ik", A, B))
    np.testing.assert_allclose(da.einsum("ij,ij->j", x, x).compute(), np.einsum("ij,ij->j", A, A))
    np.testing.assert_allclose(da.einsum("ij->", x).compute(), A.sum())
    np.testing.assert_allclose((x.T @ x).compute(), A.T @ A)
    v = da.from_array(A[:, 0], chunks=11)
    np.testing.assert_allclose((v @ x).compute(), A[:, 0] @ A)
    np.testing.assert_allclose(da.dot(v, v).compute(), A[:, 0] @ A[:, 0])


def test_batched_matmul_and_tensordot_axes():
    a, b = RNG.normal(size=(4, 5, 6)), RNG.normal(size=(4, 6, 3))
    x, y = da.from_array(a, chunks=(2, 3, 4)), da.from_array(b, chunks=(3, 2, 3))
    np.testing.assert_allclose((x @ y).compute(), a @ b)
    c = RNG.normal(size=(6, 5, 2))
    np.testing.assert_allclose(da.tensordot(x, da.from_array(c, chunks=2), axes=([1, 2], [1, 0])).compute(),
                               np.tensordot(a, c, axes=([1, 2], [1, 0])))
    with pytest.raises(ValueError, match="mismatch"):
        da.ones((3, 4)) @ da.ones((5, 2))


@pytest.mark.parametrize("rows", [(60,), (15, 15, 30), (3,) * 20])
def test_tsqr_and_svd(rows):
    x = da.from_array(A, chunks=(rows, 8))
    q, r = da.linalg.qr(x)
    qv, rv = q.compute(), r.compute()
    np.testing.assert_allclose(qv @ rv, A, atol=1e-10)
    np.testing.assert_allclose(qv.T @ qv, np.eye(8), atol=1e-10)
    np.testing.assert_allclose(np.triu(rv), rv)
    u, s, v = da.linalg.svd(x)
    uv, sv, vv = u.compute(), s.compute(), v.compute()
    np.testing.assert_allclose(sv, np.linalg.svd(A, compute_uv=False))
    np.testing.assert_allclose(uv * sv @ vv, A, atol=1e-10)
    np.testing.assert_allclose(uv.T @ uv, np.eye(8), atol=1e-10)
    rows = np.arange(8)
    assert (vv[rows, np.argmax(np.abs(vv), axis=1)] > 0).all()  # Dask's deterministic signs
    # short and fat
    u2, s2, v2 = da.linalg.svd(x.T.rechunk({0: -1}))
    np.testing.assert_allclose(s2.compute(), sv)
    np.testing.assert_allclose((u2.compute() * s2.compute()) @ v2.compute(), A.T, atol=1e-10)


def test_svd_needs_one_chunked_dimension():
    with pytest.raises(NotImplementedError, match="one dimension"):
        da.linalg.svd(da.from_array(A, chunks=(10, 4)))


def test_svd_compressed_recovers_low_rank():
    low = RNG.normal(size=(200, 5)) @ RNG.normal(size=(5, 40))
    x = da.from_array(low, chunks=(50, 40))
    u, s, v = da.linalg.svd_compressed(x, k=5, seed=1, n_power_iter=1)
    np.testing.assert_allclose(s.compute(), np.linalg.svd(low, compute_uv=False)[:5], rtol=1e-8)
    np.testing.assert_allclose((u.compute() * s.compute()) @ v.compute(), low, atol=1e-8)


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"])
def test_matrix_norms(ord):
    x = da.from_array(A, chunks=(13, 8))
    np.testing.assert_allclose(da.linalg.norm(x, ord=ord).compute(), np.linalg.norm(A, ord=ord))


@pytest.mark.parametrize("ord", [None, 1, 2, 3, np.inf, -np.inf, 0])
def test_vector_norms(ord):
    x = da.from_array(A, chunks=(13, 3))
    np.testing.assert_allclose(da.linalg.norm(x, ord=ord, axis=0).compute(), np.linalg.norm(A, ord=ord, axis=0))
    np.testing.assert_allclose(da.linalg.norm(x[:, 0], ord=ord).compute(), np.linalg.norm(A[:, 0], ord=ord))


def test_solve_inv_cholesky_lstsq():
    a = da.from_array(SQUARE, chunks=4)
    b = RNG.normal(size=(9, 3))
    np.testing.assert_allclose(da.linalg.solve(a, da.from_array(b, chunks=(4, 2))).compute(), np.linalg.solve(SQUARE, b))
    np.testing.assert_allclose(da.linalg.solve(a, b[:, 0]).compute(), np.linalg.solve(SQUARE, b[:, 0]))
    np.testing.assert_allclose(da.linalg.inv(a).compute(), np.linalg.inv(SQUARE), atol=1e-12)
    spd = SQUARE @ SQUARE.T
    np.testing.assert_allclose(da.linalg.cholesky(da.from_array(spd, chunks=3)).compute(), scipy.linalg.cholesky(spd))
    y = RNG.normal(size=60)
    x, res, rank, s = da.linalg.lstsq(da.from_array(A, chunks=(20, 8)), da.from_array(y, chunks=20))
    ex, eres, erank, es = np.linalg.lstsq(A, y, rcond=None)
    np.testing.assert_allclose(x.compute(), ex)
    np.testing.assert_allclose(res.compute(), eres)
    assert int(rank.compute()) == erank
    np.testing.assert_allclose(s.compute(), es)
    with pytest.raises(ValueError, match="square"):
        da.linalg.solve(da.ones((3, 4)), da.ones(3))


def test_svd_of_ill_conditioned_matrix_keeps_u_orthonormal():
    ill = A * np.logspace(0, -11, 8)  # condition number about 1e11: U is formed from Q, not from a @ V / s
    u, s, v = da.linalg.svd(da.from_array(ill, chunks=(15, 8)))
    uv, sv, vv = u.compute(), s.compute(), v.compute()
    np.testing.assert_allclose(sv, np.linalg.svd(ill, compute_uv=False), rtol=1e-6)
    np.testing.assert_allclose(uv.T @ uv, np.eye(8), atol=1e-8)
    np.testing.assert_allclose((uv * sv) @ vv, ill, atol=1e-12)


def test_unseeded_sketches_and_sign_conventions_do_not_share_keys():
    x = da.from_array(A, chunks=(20, 8))
    first, second = da.linalg.svd_compressed(x, k=3), da.linalg.svd_compressed(x, k=3)
    assert first[0].name != second[0].name
    flipped, raw = da.linalg.svd(x), da.linalg.svd(x, coerce_signs=False)
    assert flipped[0].name != raw[0].name
    u, s, v = tessera.compute(*flipped)
    ur, sr, vr = tessera.compute(*raw)
    np.testing.assert_allclose(np.abs(u), np.abs(ur), atol=1e-10)
    np.testing.assert_allclose((u * s) @ v, A, atol=1e-10)
    np.testing.assert_allclose((ur * sr) @ vr, A, atol=1e-10)
