"""Blocks that see their neighbours: ``map_overlap`` runs one task per block that takes the
block's 3^ndim neighbourhood, builds the block extended by `depth` on every side (at the array's
edges padded by `boundary`: reflect, periodic, nearest, a constant, or none), applies the
function and trims the margin again. Overlap, function and trim are one task, so the extended
blocks never stay in memory."""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from .core import Array, _concat_nested, _infer_dtype, asarray, new_array, tokenize, unify_chunks

__all__ = ["map_overlap", "overlap", "trim_internal", "ghost"]

_BOUNDARIES = ("reflect", "periodic", "nearest", "none")


def _per_axis(value, ndim, what, default):
    if isinstance(value, dict):
        return tuple(value.get(a, value.get(a - ndim, default)) for a in range(ndim))
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise ValueError(f"{what} has {len(value)} entries for an array of {ndim} dimensions")
        return tuple(value)
    return (value,) * ndim


def _normalize(x_ndim, depth, boundary):
    depth = _per_axis(0 if depth is None else depth, x_ndim, "depth", 0)
    for d in depth:
        if isinstance(d, tuple):
            raise NotImplementedError("asymmetric depths (tuples) are not supported; give one depth per axis")
        if not isinstance(d, numbers.Integral) or d < 0:
            raise ValueError(f"depth must be non-negative integers, got {d!r}")
    boundary = _per_axis("none" if boundary is None else boundary, x_ndim, "boundary", "none")
    for b in boundary:
        if isinstance(b, str) and b not in _BOUNDARIES:
            raise ValueError(f"boundary {b!r} is not one of {_BOUNDARIES} or a constant")
    return tuple(int(d) for d in depth), boundary


def _ensure_depth(x, depth):
    """Chunks at least `depth` long wherever a neighbour is read (thin blocks join a neighbour)."""
    new = {}
    for a, (d, c) in enumerate(zip(depth, x.chunks)):
        if d and len(c) > 1 and min(c) < d:
            merged = []
            for n in c:
                if merged and (n < d or merged[-1] < d):
                    merged[-1] += n
                else:
                    merged.append(n)
            new[a] = tuple(merged)
    return x.rechunk(new) if new else x


def _pad(base, axis, side, d, boundary):
    index = [slice(None)] * base.ndim
    if boundary == "none":
        index[axis] = slice(0, 0)
        return base[tuple(index)]
    if boundary == "reflect":
        index[axis] = slice(0, d) if side < 0 else slice(base.shape[axis] - d, None)
        return np.flip(base[tuple(index)], axis=axis)
    if boundary == "nearest":
        index[axis] = slice(0, 1) if side < 0 else slice(base.shape[axis] - 1, None)
        return np.repeat(base[tuple(index)], d, axis=axis)
    shape = list(base.shape)
    shape[axis] = d
    return np.full(shape, boundary, dtype=base.dtype)


class _Neighbourhood:
    """Builds a block extended by `depth` from its neighbours (None where there is none)."""

    def __init__(self, depth, boundary):
        self.depth, self.boundary = depth, boundary
        self.offsets = [(-1, 0, 1) if d else (0,) for d in depth]

    def build(self, blocks):
        table = dict(zip(itertools.product(*self.offsets), blocks))
        cache = {}

        def piece(o):
            if o in cache:
                return cache[o]
            block = table[o]
            if block is None:
                k = next(a for a, v in enumerate(o) if v != 0 and _missing_along(table, o, a))
                base = piece(tuple(0 if b == k else w for b, w in enumerate(o)))
                out = _pad(base, k, o[k], self.depth[k], self.boundary[k])
            else:
                index = tuple(slice(None) if v == 0 else (slice(block.shape[a] - self.depth[a], None) if v < 0
                                                          else slice(0, self.depth[a])) for a, v in enumerate(o))
                out = block[index]
            cache[o] = out
            return out

        def nest(axis, prefix):
            if axis == len(self.offsets):
                return piece(tuple(prefix))
            return [nest(axis + 1, prefix + [v]) for v in self.offsets[axis]]
        return _concat_nested(nest(0, []))


def _missing_along(table, o, a):
    """Whether offset o lacks a block because of axis a (the neighbour along a alone is absent)."""
    probe = tuple(v if b == a else 0 for b, v in enumerate(o))
    return table.get(probe) is None


class _OverlapTask:
    def __init__(self, func, kwargs, n_arrays, hood, trim_lo, trim_hi):
        self.func, self.kwargs, self.n, self.hood = func, kwargs, n_arrays, hood
        self.trim_lo, self.trim_hi = trim_lo, trim_hi
        self.__name__ = getattr(func, "__name__", "map_overlap")

    def __call__(self, *blocks):
        per = len(blocks) // self.n
        extended = [self.hood.build(blocks[i * per:(i + 1) * per]) for i in range(self.n)]
        out = self.func(*extended, **self.kwargs) if self.func is not None else extended[0]
        if self.trim_lo is None:
            return out
        index = tuple(slice(lo, out.shape[a] - hi) for a, (lo, hi) in enumerate(zip(self.trim_lo, self.trim_hi)))
        return out[index]


def map_overlap(func, *args, depth=None, boundary=None, trim=True, align_arrays=True, allow_rechunk=True,
                dtype=None, meta=None, name=None, **kwargs):
    """Applies `func` to every block extended by `depth` neighbouring elements per side
    (boundary: 'none' (default, as Dask), 'reflect', 'periodic', 'nearest' or a constant), then
    trims the margins (trim=True)."""
    if isinstance(func, Array) and callable(args[0]):  # the older (x, func) argument order
        func, args = args[0], (func,) + args[1:]
    arrays = [asarray(a) if not isinstance(a, Array) else a for a in args]
    if not arrays:
        raise ValueError("map_overlap needs at least one array")
    ndim = arrays[0].ndim
    if any(a.ndim != ndim for a in arrays):
        raise ValueError("map_overlap: all arrays need the same number of dimensions")
    depth, boundary = _normalize(ndim, depth, boundary)
    arrays = [_ensure_depth(a, depth) for a in arrays]
    ind = tuple(range(ndim))
    pairs = []
    for a in arrays:
        pairs.extend([a, ind])
    _, arrays = unify_chunks(*pairs)
    arrays = [_ensure_depth(a, depth) for a in arrays]
    if len(arrays) > 1:
        _, arrays = unify_chunks(*[v for a in arrays for v in (a, ind)])
    x = arrays[0]
    if dtype is None:
        dtype = np.asarray(meta).dtype if meta is not None else _infer_dtype(func, arrays, kwargs)
    hood = _Neighbourhood(depth, boundary)
    token = tokenize(func, *arrays, depth, boundary, trim, kwargs)
    prefix = name or getattr(func, "__name__", "overlap")
    out_name = f"{prefix}-overlap-{token}" if func is not None else f"overlap-{token}"
    layer = {}
    grid = x.numblocks
    out_chunks = [list(c) for c in x.chunks]
    for idx in itertools.product(*(range(n) for n in grid)):
        keys = []
        for a in arrays:
            for o in itertools.product(*hood.offsets):
                nb = []
                for axis, (i, v) in enumerate(zip(idx, o)):
                    j = i + v
                    if not 0 <= j < grid[axis]:
                        j = j % grid[axis] if boundary[axis] == "periodic" else None
                    if j is None:
                        break
                    nb.append(j)
                keys.append((a.name, *nb) if len(nb) == ndim else None)
        lo = tuple(0 if (boundary[a] == "none" and i == 0) else depth[a] for a, i in enumerate(idx))
        hi = tuple(0 if (boundary[a] == "none" and i == grid[a] - 1) else depth[a] for a, i in enumerate(idx))
        if trim:
            task = _OverlapTask(func, kwargs, len(arrays), hood, lo, hi)
        else:
            task = _OverlapTask(func, kwargs, len(arrays), hood, None, None)
            for a, i in enumerate(idx):
                out_chunks[a][i] = x.chunks[a][i] + lo[a] + hi[a]
        layer[(out_name, *idx)] = (task, *keys)
    return new_array(layer, out_name, tuple(tuple(c) for c in out_chunks), dtype, *arrays)


def overlap(x, depth, boundary):
    """The blocks of x extended by `depth` (and padded at the edges by `boundary`)."""
    return map_overlap(None, x, depth=depth, boundary=boundary, trim=False, dtype=x.dtype, name="overlap")


ghost = overlap


def _trim(block, lo, hi):
    return block[tuple(slice(l, block.shape[a] - h) for a, (l, h) in enumerate(zip(lo, hi)))]


def trim_internal(x, axes, boundary=None):
    """Removes `axes` (depth per axis) elements from both sides of every block (the margins an
    overlap added; with boundary 'none' the outer sides of edge blocks had none)."""
    depth, boundary = _normalize(x.ndim, axes, boundary)
    name = f"trim-{tokenize(x, depth, boundary)}"
    layer, chunks = {}, [list(c) for c in x.chunks]
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        lo = tuple(0 if (boundary[a] == "none" and i == 0) else depth[a] for a, i in enumerate(idx))
        hi = tuple(0 if (boundary[a] == "none" and i == x.numblocks[a] - 1) else depth[a] for a, i in enumerate(idx))
        layer[(name, *idx)] = (_trim, (x.name, *idx), lo, hi)
        for a, i in enumerate(idx):
            chunks[a][i] = x.chunks[a][i] - lo[a] - hi[a]
    return new_array(layer, name, tuple(tuple(c) for c in chunks), x.dtype, x)
