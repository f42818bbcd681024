"""Linear algebra on chunked arrays. Products multiply matching blocks (one task per pair, a
length-one axis per contracted index) and sum the partial products as a tree; QR is TSQR
(a QR per row block, one QR of the stacked R factors, then each block's Q updated); the SVD of a
tall-and-skinny matrix is the SVD of TSQR's small R. Every dense kernel is NumPy's or SciPy's
LAPACK."""

from __future__ import annotations

import contextlib
import functools
import numbers
import string
import threading

import numpy as np

from .core import asarray, blockwise, new_array, tokenize
from .reductions import sum as _sum

__all__ = ["dot", "matmul", "tensordot", "einsum", "vdot", "inner", "qr", "tsqr", "svd", "svd_compressed",
           "norm", "solve", "lstsq", "inv", "cholesky", "solve_triangular"]


def _scipy_linalg():
    """SciPy's LAPACK wrappers (imported when a kernel first needs them)."""
    import scipy.linalg
    return scipy.linalg


@functools.cache
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # without threadpoolctl BLAS keeps its own threads
        return None
    return ThreadpoolController()


_blas_lock = threading.Lock()
_blas_tasks = 0
_blas_limiter = None


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS on one thread while linear-algebra tasks run: the scheduler already runs a task per
    core, and BLAS threads on top of them contend (LAPACK's QR runs several times slower). The
    limit is set when the first such task starts and lifted when the last one ends, so BLAS's
    thread count never changes under a running kernel."""
    global _blas_tasks, _blas_limiter
    controller = _blas_controller()
    if controller is None:
        yield
        return
    with _blas_lock:
        if _blas_tasks == 0:
            _blas_limiter = controller.limit(limits=1, user_api="blas")
        _blas_tasks += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_tasks -= 1
            if _blas_tasks == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


class _Expanded:
    """A block kernel whose result gets a length-one axis per contracted index (summed later)."""

    def __init__(self, func, n_contracted, kwargs):
        self.func, self.n, self.kwargs = func, n_contracted, kwargs
        self.__name__ = getattr(func, "__name__", "contract")

    def __call__(self, *blocks):
        with _one_blas_thread():
            out = np.asarray(self.func(*blocks, **self.kwargs))
        return out.reshape(out.shape + (1,) * self.n)


def _contract(func, out_ind, contracted, pairs, dtype, name, split_every=None, **kwargs):
    """blockwise over out_ind + contracted, then a tree sum over the contracted axes."""
    full = tuple(out_ind) + tuple(contracted)
    partial = blockwise(_Expanded(func, len(contracted), kwargs), full, *pairs, dtype=dtype, name=name,
                        adjust_chunks={c: 1 for c in contracted})
    if not contracted:
        return partial
    axes = tuple(range(len(out_ind), len(full)))
    return _sum(partial, axis=axes, split_every=split_every, dtype=dtype)


def tensordot(a, b, axes=2):
    a, b = asarray(a), asarray(b)
    if isinstance(axes, numbers.Integral):
        a_axes = list(range(a.ndim - axes, a.ndim))
        b_axes = list(range(axes))
    else:
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, numbers.Integral) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, numbers.Integral) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError("tensordot: the axes of a and b must have the same length")
    a_axes = [x % a.ndim for x in a_axes]
    b_axes = [x % b.ndim for x in b_axes]
    for x, y in zip(a_axes, b_axes):
        if a.shape[x] != b.shape[y]:
            raise ValueError(f"shape-mismatch for sum: axis {x} of a has length {a.shape[x]}, axis {y} of b "
                             f"has length {b.shape[y]}")
    letters = iter(string.ascii_letters)
    a_ind = [next(letters) for _ in range(a.ndim)]
    b_ind = [next(letters) for _ in range(b.ndim)]
    for x, y in zip(a_axes, b_axes):
        b_ind[y] = a_ind[x]
    contracted = [a_ind[x] for x in sorted(a_axes)]
    out_ind = [i for i in a_ind if i not in contracted] + [i for i in b_ind if i not in contracted]
    dtype = np.result_type(a.dtype, b.dtype)
    return _contract(np.tensordot, out_ind, contracted, [a, tuple(a_ind), b, tuple(b_ind)], dtype, "tensordot",
                     axes=(a_axes, b_axes))


def dot(a, b):
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim == 1 and b.ndim == 1:
        return tensordot(a, b, axes=((0,), (0,)))
    return tensordot(a, b, axes=((a.ndim - 1,), (max(b.ndim - 2, 0),)))


def vdot(a, b):
    return dot(asarray(a).ravel().conj(), asarray(b).ravel())


def inner(a, b):
    a, b = asarray(a), asarray(b)
    return tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))


def matmul(a, b):
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: input operand does not have enough dimensions")
    if a.ndim <= 2 and b.ndim <= 2:
        if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
            raise ValueError(f"matmul: size mismatch in the core dimension: {a.shape} @ {b.shape}")
        return dot(a, b)
    squeeze_a, squeeze_b = a.ndim == 1, b.ndim == 1
    if squeeze_a:
        a = a[None, :]
    if squeeze_b:
        b = b[:, None]
    nd = max(a.ndim, b.ndim)
    batch = [f"b{i}" for i in range(nd - 2)]
    a_ind = tuple(batch[len(batch) - (a.ndim - 2):]) + ("i", "j")
    b_ind = tuple(batch[len(batch) - (b.ndim - 2):]) + ("j", "k")
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: size mismatch in the core dimension: {a.shape} @ {b.shape}")
    out = _contract(np.matmul, tuple(batch) + ("i", "k"), ["j"], [a, a_ind, b, b_ind],
                    np.result_type(a.dtype, b.dtype), "matmul")
    if squeeze_a:
        out = out[..., 0, :]
    if squeeze_b:
        out = out[..., 0]
    return out


def einsum(subscripts, *operands, dtype=None, optimize=False, split_every=None, **kwargs):
    """einsum with explicit letters (no '...'): per block pair, then a tree sum over the
    contracted letters."""
    operands = [asarray(o) for o in operands]
    subscripts = subscripts.replace(" ", "")
    if "." in subscripts:
        raise NotImplementedError("einsum with '...' is not supported; write the letters out")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins = subscripts
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = ins.split(",")
    if len(ins) != len(operands):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(operands)} operands")
    for s, o in zip(ins, operands):
        if len(s) != o.ndim:
            raise ValueError(f"einsum: subscript {s!r} does not match an operand of {o.ndim} dimensions")
        if len(set(s)) != len(s):
            raise NotImplementedError("einsum with a repeated letter in one operand (traces) is not supported")
    contracted = sorted({c for s in ins for c in s} - set(out))
    pairs = []
    for s, o in zip(ins, operands):
        pairs.extend([o, tuple(s)])
    dtype = np.result_type(*[o.dtype for o in operands]) if dtype is None else np.dtype(dtype)
    spec = ",".join(ins) + "->" + out
    return _contract(_Einsum(spec, dtype), tuple(out), contracted, pairs, dtype, "einsum", split_every=split_every)


class _Einsum:
    def __init__(self, spec, dtype):
        self.spec, self.dtype = spec, dtype
        self.__name__ = "einsum"

    def __call__(self, *blocks):
        return np.einsum(self.spec, *blocks, dtype=self.dtype)


# --------------------------------------------------------------------------------------------
# TSQR and SVD

def _qr_block(block):
    with _one_blas_thread():
        return _scipy_linalg().qr(block, mode="economic", check_finite=False)


def _r_block(block):
    """The R factor alone (LAPACK geqrf, no Q formed)."""
    with _one_blas_thread():
        (geqrf,) = _scipy_linalg().get_lapack_funcs(("geqrf",), (block,))
        qr, _, _, info = geqrf(block)
    if info:
        raise ValueError(f"LAPACK geqrf failed with info={info}")
    return np.triu(qr[:min(block.shape)])


def _second(pair):
    return pair[1]


def _qr_stacked(n_rows, *factors):
    stacked = np.concatenate(factors, axis=0)
    q, r = _scipy_linalg().qr(stacked, mode="economic", check_finite=False)
    starts = np.cumsum((0,) + tuple(n_rows))
    return [q[starts[i]:starts[i + 1]] for i in range(len(n_rows))], r


def _r_of(result):
    return result[1]


def tsqr(a, compute_svd=False, coerce_signs=False):
    """QR of a tall-and-skinny matrix (one chunk across the columns): (q, r), or (u, s, v)
    when compute_svd (with coerce_signs, the largest-magnitude entry of each row of v is
    positive, decided on the small SVD so U needs no second pass)."""
    a = asarray(a)
    if a.ndim != 2:
        raise ValueError(f"qr/svd need a 2-D array, got {a.ndim} dimensions")
    if a.numblocks[1] > 1:
        raise ValueError("qr/svd of a tall-and-skinny matrix needs one chunk across the columns: "
                         "rechunk({1: -1}) first (or pass a short-and-fat matrix with one chunk across the rows)")
    m, n = a.shape
    token = tokenize(a, "tsqr", compute_svd, coerce_signs)
    dtype = np.result_type(a.dtype, np.float64) if a.dtype.kind in "biu" else a.dtype
    k_rows = [min(c, n) for c in a.chunks[0]]
    k = min(sum(k_rows), n)
    factor, r_name, r_parts = f"qr-stacked-{token}", f"qr-r-{token}", f"qr-block-r-{token}"
    if compute_svd:
        # only the R factors: U comes from a @ V / s (or, for ill-conditioned input, from Q)
        layer_parts = {(r_parts, i): (_r_block, (a.name, i, 0)) for i in range(a.numblocks[0])}
    else:
        local = f"qr-block-{token}"
        layer_local = {(local, i): (_qr_block, (a.name, i, 0)) for i in range(a.numblocks[0])}
        layer_parts = {(r_parts, i): (_second, (local, i)) for i in range(a.numblocks[0])}
    layer_factor = {(factor, 0): (_qr_stacked, tuple(k_rows), *[(r_parts, i) for i in range(a.numblocks[0])])}
    r = new_array({(r_name, 0, 0): (_r_of, (factor, 0))}, r_name, ((k,), (n,)), dtype, a)
    r._layers[r_parts] = layer_parts
    r._layers[factor] = layer_factor
    if not compute_svd:
        r._layers[local] = layer_local
        q_name = f"qr-{token}"
        layer_q = {(q_name, i, 0): (_update_q, (local, i), (factor, 0), i) for i in range(a.numblocks[0])}
        q = new_array(layer_q, q_name, (a.chunks[0], (k,)), dtype, r)
        q._layers[local] = layer_local
        return q, r
    svd_name = f"svd-small-{token}"
    small = new_array({(svd_name, 0): (_svd_small, (r_name, 0, 0), coerce_signs)}, svd_name, ((1,),), dtype, r)
    u_name, s_name, v_name = f"svd-u-{token}", f"svd-s-{token}", f"svd-v-{token}"
    kk = min(k, n)
    u = new_array({(u_name, i, 0): (_u_block, (a.name, i, 0), (factor, 0), (svd_name, 0), i)
                   for i in range(a.numblocks[0])}, u_name, (a.chunks[0], (kk,)), dtype, a, small)
    u._layers[factor] = layer_factor
    u._layers[r_parts] = layer_parts
    s = new_array({(s_name, 0): (_pick, (svd_name, 0), 1)}, s_name, ((kk,),), _real(dtype), small)
    v = new_array({(v_name, 0, 0): (_pick, (svd_name, 0), 2)}, v_name, ((kk,), (n,)), dtype, small)
    return u, s, v


def _real(dtype):
    return np.empty(0, dtype=dtype).real.dtype


def _update_q(local, factor, i):
    with _one_blas_thread():
        return local[0] @ factor[0][i]


def _svd_small(r, coerce_signs=False):
    u, s, vt = np.linalg.svd(r, full_matrices=False)
    if coerce_signs and vt.size:
        sign = _row_signs(vt)
        u, vt = u * sign, vt * sign[:, None]
    return u, s, vt


def _row_signs(vt):
    """+1/-1 per row making each row's largest-magnitude entry positive."""
    big = np.argmax(np.abs(vt), axis=1)
    sign = np.sign(vt[np.arange(vt.shape[0]), big])
    return np.where(sign == 0, 1, sign)


def _u_block(block, factor, small, i):
    """U's rows of one block: block @ V / s when a is well conditioned (one GEMM), else
    Q_block @ Q2_block @ U_r with the block's Q formed again (stable for any conditioning)."""
    u_r, s, vt = small
    with _one_blas_thread():
        if s.size and s[-1] > s[0] * 1e-6:
            return block @ (vt.conj().T / s)
        q = _scipy_linalg().qr(block, mode="economic", check_finite=False)[0]
        return q @ (factor[0][i] @ u_r)


def _pick(t, i):
    return t[i]


def qr(a):
    """(q, r) of a tall-and-skinny matrix by TSQR."""
    return tsqr(a)


def svd(a, coerce_signs=True):
    """(u, s, v) of a tall-and-skinny matrix (one chunk across the columns) or a short-and-fat
    one (one chunk across the rows); v is NumPy's vh."""
    a = asarray(a)
    if a.ndim != 2:
        raise ValueError(f"svd needs a 2-D array, got {a.ndim} dimensions")
    if a.numblocks[1] == 1:
        return tsqr(a, compute_svd=True, coerce_signs=coerce_signs)
    if a.numblocks[0] == 1:
        vt, s, ut = tsqr(a.T, compute_svd=True)
        u, v = ut.T, vt.T
        return _flipped(u, s, v, coerce_signs)
    raise NotImplementedError("Array must be chunked in one dimension only. svd supports tall-and-skinny "
                              "or short-and-fat matrices; use svd_compressed for an approximation, or rechunk")


def _flipped(u, s, v, coerce_signs):
    if coerce_signs:
        u, v = _svd_flip(u, v)
    return u, s, v


def _svd_flip(u, v):
    """Deterministic signs: the largest-magnitude entry of each row of v is positive."""
    vv = v.rechunk({1: -1})
    from .core import map_blocks
    sign = map_blocks(_row_signs, vv, drop_axis=1, dtype=v.dtype, name="svd-signs").rechunk(-1)
    return u * sign[None, :], v * sign[:, None]


def svd_compressed(a, k, iterator="power", n_power_iter=0, seed=None, compute=False, coerce_signs=True,
                   n_oversamples=10):
    """Randomized truncated SVD (Halko et al.): the rank-k factors of `a` from a sketch a @ omega,
    with `n_power_iter` power iterations."""
    from .random import default_rng
    a = asarray(a)
    if a.ndim != 2:
        raise ValueError("svd_compressed needs a 2-D array")
    m, n = a.shape
    if not 0 < k <= min(m, n):
        raise ValueError(f"k={k} must be between 1 and min(a.shape)={min(m, n)}")
    width = min(k + n_oversamples, n)
    rng = default_rng(seed)
    omega = rng.standard_normal((n, width), chunks=(a.chunks[1], (width,))).astype(a.dtype
                                                                                       if a.dtype.kind == "f" else float)
    rows = a.rechunk({1: -1}) if a.numblocks[1] > 1 else a
    y = (a @ omega).rechunk({1: -1})
    q, _ = tsqr(y.rechunk({0: rows.chunks[0]}))
    for _ in range(n_power_iter):
        z = (a.T @ q).rechunk({1: -1})
        q2, _ = tsqr(z.rechunk({0: a.chunks[1] if z.numblocks[0] > 1 else z.chunks[0]}))
        y = (a @ q2).rechunk({1: -1})
        q, _ = tsqr(y)
    b = (q.T @ a).rechunk(-1)
    token = tokenize(a, k, omega, n_power_iter, n_oversamples, coerce_signs)
    name = f"svd-compressed-{token}"
    small = new_array({(name, 0): (_svd_small, (b.name, 0, 0))}, name, ((1,),), b.dtype, b)
    u_name, s_name, v_name = f"svd-u-{token}", f"svd-s-{token}", f"svd-v-{token}"
    u = new_array({(u_name, i, 0): (_times_u_k, (q.name, i, 0), (name, 0), k) for i in range(q.numblocks[0])},
                  u_name, (q.chunks[0], (k,)), b.dtype, q, small)
    s = new_array({(s_name, 0): (_pick_k, (name, 0), 1, k)}, s_name, ((k,),), _real(b.dtype), small)
    v = new_array({(v_name, 0, 0): (_pick_k, (name, 0), 2, k)}, v_name, ((k,), (n,)), b.dtype, small)
    if coerce_signs:
        u, v = _svd_flip(u, v)
    if compute:
        from ..base import compute as _compute
        return _compute(u, s, v)
    return u, s, v


def _times_u_k(q, small, k):
    with _one_blas_thread():
        return q @ small[0][:, :k]


def _pick_k(t, i, k):
    return t[i][:k] if i == 1 else t[i][:k, :]


# --------------------------------------------------------------------------------------------
# norms and small systems

def norm(x, ord=None, axis=None, keepdims=False):
    from . import reductions as r
    x = asarray(x)
    if axis is None and ord is None:
        return r.sum(abs(x) ** 2 if x.dtype.kind == "c" else x * x, keepdims=keepdims) ** 0.5 if x.dtype.kind != "c" \
            else r.sum(abs(x) ** 2, keepdims=keepdims) ** 0.5
    if axis is None:
        axis = tuple(range(x.ndim))
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    axis = tuple(a % x.ndim for a in axis)
    if len(axis) == 1:
        ax = axis
        ax_abs = abs(x)
        if ord is None or ord == 2:
            return r.sum(ax_abs ** 2, axis=ax, keepdims=keepdims) ** 0.5
        if ord == np.inf:
            return r.max(ax_abs, axis=ax, keepdims=keepdims)
        if ord == -np.inf:
            return r.min(ax_abs, axis=ax, keepdims=keepdims)
        if ord == 0:
            return r.sum(x != 0, axis=ax, keepdims=keepdims, dtype=x.real.dtype if x.dtype.kind in "fc" else float)
        if ord == 1:
            return r.sum(ax_abs, axis=ax, keepdims=keepdims)
        if isinstance(ord, str):
            raise ValueError(f"invalid norm order {ord!r} for vectors")
        return r.sum(ax_abs ** ord, axis=ax, keepdims=keepdims) ** (1.0 / ord)
    if len(axis) != 2:
        raise ValueError("norm: improper number of dimensions to norm")
    row, col = axis
    if ord in (None, "fro", "f"):
        return r.sum(abs(x) ** 2, axis=axis, keepdims=keepdims) ** 0.5
    if ord == 1:
        return _keep(r.max(r.sum(abs(x), axis=row, keepdims=True), axis=col, keepdims=True), axis, keepdims)
    if ord == -1:
        return _keep(r.min(r.sum(abs(x), axis=row, keepdims=True), axis=col, keepdims=True), axis, keepdims)
    if ord == np.inf:
        return _keep(r.max(r.sum(abs(x), axis=col, keepdims=True), axis=row, keepdims=True), axis, keepdims)
    if ord == -np.inf:
        return _keep(r.min(r.sum(abs(x), axis=col, keepdims=True), axis=row, keepdims=True), axis, keepdims)
    if ord in (2, -2, "nuc"):
        if x.ndim != 2:
            raise NotImplementedError("2-norm and nuclear norm are supported for 2-D arrays")
        _, s, _ = svd(x if x.numblocks[1] == 1 or x.numblocks[0] == 1 else x.rechunk({1: -1}), coerce_signs=False)
        out = r.sum(s) if ord == "nuc" else r.max(s) if ord == 2 else r.min(s)
        return out.reshape((1, 1)) if keepdims else out
    raise ValueError(f"invalid norm order {ord!r} for matrices")


def _keep(v, axis, keepdims):
    return v if keepdims else v[tuple(0 if i in axis else slice(None) for i in range(v.ndim))]


def _single(a):
    return a.rechunk(-1) if a.npartitions > 1 else a


def _solve_block(a, b, assume_a):
    return _scipy_linalg().solve(a, b, assume_a=assume_a)


def solve(a, b, sym_pos=None, assume_a="gen"):
    """x with a @ x = b for a small square `a` (held as one block; SciPy's LAPACK solver)."""
    a, b = asarray(a), asarray(b)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"solve needs a square 2-D matrix, got shape {a.shape}")
    if b.shape[0] != a.shape[0]:
        raise ValueError(f"solve: b has {b.shape[0]} rows, a has {a.shape[0]}")
    a1 = _single(a)
    b1 = b.rechunk({0: -1})
    token = tokenize(a1, b1, assume_a)
    name = f"solve-{token}"
    if b1.ndim == 1:
        layer = {(name, 0): (_solve_block, (a1.name, 0, 0), (b1.name, 0), assume_a)}
    else:
        layer = {(name, 0, j): (_solve_block, (a1.name, 0, 0), (b1.name, 0, j), assume_a)
                 for j in range(b1.numblocks[1])}
    return new_array(layer, name, b1.chunks, np.result_type(a.dtype, b.dtype, np.float64), a1, b1)


def inv(a):
    from .creation import eye
    a = asarray(a)
    return solve(a, eye(a.shape[0], chunks=a.shape[0], dtype=a.dtype))


def cholesky(a, lower=False):
    a = _single(asarray(a))
    name = f"cholesky-{tokenize(a, lower)}"
    return new_array({(name, 0, 0): (_scipy_linalg().cholesky, (a.name, 0, 0), lower)}, name, a.chunks, a.dtype, a)


def _triangular(a, b, lower):
    return _scipy_linalg().solve_triangular(a, b, lower=lower)


def solve_triangular(a, b, lower=False):
    a1, b1 = _single(asarray(a)), asarray(b).rechunk({0: -1})
    name = f"solve-triangular-{tokenize(a1, b1, lower)}"
    if b1.ndim == 1:
        layer = {(name, 0): (_triangular, (a1.name, 0, 0), (b1.name, 0), lower)}
    else:
        layer = {(name, 0, j): (_triangular, (a1.name, 0, 0), (b1.name, 0, j), lower) for j in range(b1.numblocks[1])}
    return new_array(layer, name, b1.chunks, np.result_type(a1.dtype, b1.dtype, np.float64), a1, b1)


def lstsq(a, b):
    """Least squares by TSQR: (x, residuals, rank, s) as lazy arrays, as dask.array.linalg.lstsq."""
    from . import reductions as r
    a, b = asarray(a), asarray(b)
    if a.numblocks[1] > 1:
        a = a.rechunk({1: -1})
    q, rr = qr(a)
    x = solve_triangular(rr, q.T @ b.rechunk({0: a.chunks[0]}))
    resid = b - a @ x
    residuals = r.sum(resid ** 2, axis=0)
    name = f"lstsq-rank-{tokenize(rr)}"
    rank = new_array({(name,): (np.linalg.matrix_rank, (rr.name, 0, 0))}, name, (), np.dtype(int), rr)
    sname = f"lstsq-s-{tokenize(rr)}"
    s = new_array({(sname, 0): (_singular_values, (rr.name, 0, 0))}, sname, ((rr.shape[1],),), rr.dtype, rr)
    return x, residuals, rank, s


def _singular_values(r):
    return np.linalg.svd(r, compute_uv=False)
