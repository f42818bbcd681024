"""Arrays made from a description: constants, ranges, identity matrices."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .chunks import normalize_chunks
from .core import Array, _block_slices, asarray, tokenize

__all__ = ["zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like", "arange",
           "linspace", "eye", "identity", "tri", "diag", "indices", "meshgrid", "fromfunction"]


def _shape(shape):
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimensions are not allowed: shape={shape}")
    return shape


def _fill(shape, value, dtype):
    return np.full(shape, value, dtype=dtype)


def _constant(prefix, shape, value, dtype, chunks, name=None):
    shape = _shape(shape)
    dtype = np.dtype(dtype if dtype is not None else (np.asarray(value).dtype if prefix == "full" else float))
    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    out = name or f"{prefix}-{tokenize(shape, value, dtype, chunks)}"
    layer = {}
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        layer[(out, *idx)] = (_fill, tuple(c[i] for c, i in zip(chunks, idx)), value, dtype)
    if not shape:
        layer = {(out,): (_fill, (), value, dtype)}
    return Array({out: layer}, out, chunks, dtype)


def zeros(shape, dtype=float, chunks="auto", name=None, order="C", **kwargs):
    return _constant("zeros", shape, 0, dtype, chunks, name)


def ones(shape, dtype=float, chunks="auto", name=None, order="C", **kwargs):
    return _constant("ones", shape, 1, dtype, chunks, name)


def empty(shape, dtype=float, chunks="auto", name=None, order="C", **kwargs):
    return _constant("empty", shape, 0, dtype, chunks, name)


def full(shape, fill_value, dtype=None, chunks="auto", name=None, order="C", **kwargs):
    if np.ndim(fill_value) != 0:
        raise ValueError(f"fill_value must be a scalar, got an array of shape {np.shape(fill_value)}")
    return _constant("full", shape, fill_value, dtype, chunks, name)


def _like(prefix, a, value, dtype, chunks, shape):
    a = a if isinstance(a, Array) else asarray(a)
    dtype = a.dtype if dtype is None else dtype
    if shape is None:
        shape = a.shape
        chunks = a.chunks if chunks is None else chunks
    return _constant(prefix, shape, value, dtype, "auto" if chunks is None else chunks)


def zeros_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return _like("zeros_like", a, 0, dtype, chunks, shape)


def ones_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return _like("ones_like", a, 1, dtype, chunks, shape)


def empty_like(a, dtype=None, order="C", chunks=None, name=None, shape=None):
    return _like("empty_like", a, 0, dtype, chunks, shape)


def full_like(a, fill_value, order="C", dtype=None, chunks=None, name=None, shape=None):
    return _like("full_like", a, fill_value, np.asarray(fill_value).dtype if dtype is None and
                 not isinstance(a, Array) else dtype, chunks, shape)


def _arange_block(start, step, lo, hi, dtype):
    return (start + step * np.arange(lo, hi)).astype(dtype, copy=False) if np.dtype(dtype).kind != "i" or \
        not isinstance(start, numbers.Integral) or not isinstance(step, numbers.Integral) else \
        np.arange(start + step * lo, start + step * hi, step, dtype=dtype)


def arange(*args, chunks="auto", like=None, dtype=None, **kwargs):
    """numpy.arange in blocks: arange([start,] stop[, step], chunks=...)."""
    if "start" in kwargs or "stop" in kwargs or "step" in kwargs:
        start, stop, step = kwargs.pop("start", 0), kwargs.pop("stop", None), kwargs.pop("step", 1)
        if stop is None:
            start, stop = 0, start
    elif len(args) == 1:
        start, stop, step = 0, args[0], 1
    elif len(args) == 2:
        (start, stop), step = args, 1
    elif len(args) == 3:
        start, stop, step = args
    else:
        raise TypeError(f"arange takes 1 to 3 positional arguments (start, stop, step), got {len(args)}")
    if step == 0:
        raise ValueError("arange: step must not be zero")
    num = max(0, int(math.ceil((stop - start) / step)))
    if dtype is None:
        dtype = np.arange(start, start + step, step).dtype if num else np.result_type(start, stop, step)
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, (num,), dtype=dtype)
    name = f"arange-{tokenize(start, stop, step, chunks, dtype)}"
    layer = {(name, i): (_arange_block, start, step, lo, hi, dtype)
             for i, (lo, hi) in enumerate(_block_slices(chunks)[0])}
    return Array({name: layer}, name, chunks, dtype)


def _linspace_block(start, step, lo, hi, last, endpoint, stop, dtype):
    out = start + step * np.arange(lo, hi, dtype=float)
    if endpoint and hi == last and hi > lo and last > 1:
        out[-1] = stop
    return out.astype(dtype, copy=False)


def linspace(start, stop, num=50, endpoint=True, retstep=False, chunks="auto", dtype=None):
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else float("nan") if num == 1 and endpoint else (stop - start)
    dtype = np.dtype(float if dtype is None else dtype)
    chunks = normalize_chunks(chunks, (num,), dtype=dtype)
    name = f"linspace-{tokenize(start, stop, num, endpoint, chunks, dtype)}"
    st = step if not (isinstance(step, float) and math.isnan(step)) else 0.0
    layer = {(name, i): (_linspace_block, start, st, lo, hi, num, endpoint, stop, dtype)
             for i, (lo, hi) in enumerate(_block_slices(chunks)[0])}
    out = Array({name: layer}, name, chunks, dtype)
    return (out, step) if retstep else out


def _eye_block(shape, k, dtype):
    return np.eye(shape[0], shape[1], k=k, dtype=dtype)


def eye(N, chunks="auto", M=None, k=0, dtype=float):
    M = N if M is None else M
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, (N, M), dtype=dtype)
    name = f"eye-{tokenize(N, M, k, chunks, dtype)}"
    rows, cols = _block_slices(chunks)
    layer = {}
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            layer[(name, i, j)] = (_eye_block, (r1 - r0, c1 - c0), k + r0 - c0, dtype)
    return Array({name: layer}, name, chunks, dtype)


def identity(n, dtype=float, chunks="auto"):
    return eye(n, chunks=chunks, dtype=dtype)


def tri(N, M=None, k=0, dtype=float, chunks="auto"):
    M = N if M is None else M
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, (N, M), dtype=dtype)
    name = f"tri-{tokenize(N, M, k, chunks, dtype)}"
    rows, cols = _block_slices(chunks)
    layer = {(name, i, j): (np.tri, r1 - r0, c1 - c0, k - c0 + r0, dtype)
             for i, (r0, r1) in enumerate(rows) for j, (c0, c1) in enumerate(cols)}
    return Array({name: layer}, name, chunks, dtype)


def diag(v, k=0):
    v = asarray(v)
    if v.ndim == 1:
        n = v.shape[0] + abs(k)
        from .core import map_blocks
        v1 = v.rechunk(-1)
        return map_blocks(np.diag, v1, k=k, chunks=((n,), (n,)), new_axis=1, dtype=v.dtype, name="diag")
    if v.ndim == 2:
        from .core import map_blocks
        v2 = v.rechunk(-1)
        n = len(np.diag(np.empty(v.shape, dtype=bool), k))
        return map_blocks(np.diag, v2, k=k, chunks=((n,),), drop_axis=1, dtype=v.dtype, name="diag")
    raise ValueError("diag takes a 1-D or 2-D array")


def indices(dimensions, dtype=int, chunks="auto"):
    dimensions = _shape(dimensions)
    grids = []
    for axis, n in enumerate(dimensions):
        r = arange(n, chunks=chunks if isinstance(chunks, (int, str)) else chunks[axis], dtype=dtype)
        index = tuple(slice(None) if a == axis else None for a in range(len(dimensions)))
        grids.append(r[index])
    from .core import broadcast_to, stack
    if not dimensions:
        return zeros((0,), dtype=dtype, chunks=1)
    return stack([broadcast_to(g, dimensions) for g in grids])


def meshgrid(*xi, indexing="xy", sparse=False):
    xi = [asarray(x).ravel() for x in xi]
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing must be 'xy' or 'ij'")
    n = len(xi)
    grids = []
    for i, x in enumerate(xi):
        index = [None] * n
        index[i] = slice(None)
        grids.append(x[tuple(index)])
    if indexing == "xy" and n > 1:
        grids = [g.swapaxes(0, 1) for g in grids]
    if sparse:
        return grids
    from .core import broadcast_arrays
    return broadcast_arrays(*grids)


def fromfunction(function, shape, dtype=float, chunks="auto", **kwargs):
    grids = indices(shape, dtype=dtype, chunks=chunks)
    from .core import map_blocks
    parts = [grids[i] for i in range(len(_shape(shape)))]
    return map_blocks(lambda *g: function(*g, **kwargs), *parts, dtype=dtype, name="fromfunction")
