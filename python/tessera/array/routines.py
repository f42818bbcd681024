"""NumPy routines over chunked arrays: axes, selection, comparison helpers."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .core import (Array, asarray, blockwise, broadcast_to, concatenate, elemwise, map_blocks, new_array,
                   tokenize)
from .reductions import _normalize_axis

__all__ = ["transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims", "where", "clip", "nonzero", "repeat",
           "isclose", "allclose", "around", "round", "flip", "flipud", "fliplr", "diff", "ravel", "atleast_1d",
           "atleast_2d", "atleast_3d", "isnull", "notnull", "unique", "argwhere", "count_nonzero", "roll",
           "outer", "result_type", "shape", "ndim", "array_equal", "rollaxis", "tile", "rot90", "pad"]


def transpose(a, axes=None):
    a = asarray(a)
    if axes is None:
        axes = tuple(range(a.ndim))[::-1]
    axes = tuple(ax % a.ndim if -a.ndim <= ax < a.ndim else _bad_axis(ax, a.ndim) for ax in axes)
    if sorted(axes) != list(range(a.ndim)):
        raise ValueError(f"axes {axes} don't match array of {a.ndim} dimensions")
    if axes == tuple(range(a.ndim)):
        return a
    return blockwise(np.transpose, axes, a, tuple(range(a.ndim)), axes=axes, dtype=a.dtype, name="transpose")


def _bad_axis(ax, ndim):
    raise np.exceptions.AxisError(f"axis {ax} is out of bounds for array of dimension {ndim}")


def swapaxes(a, axis1, axis2):
    a = asarray(a)
    axes = list(range(a.ndim))
    i, j = axis1 % a.ndim, axis2 % a.ndim
    axes[i], axes[j] = axes[j], axes[i]
    return transpose(a, axes)


def moveaxis(a, source, destination):
    a = asarray(a)
    source = _normalize_axis(source, a.ndim) if not isinstance(source, numbers.Integral) else (source % a.ndim,)
    if isinstance(destination, numbers.Integral):
        destination = (destination,)
    destination = tuple(d % a.ndim for d in destination)
    if isinstance(source, tuple) and len(source) != len(destination):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    order = [n for n in range(a.ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return transpose(a, order)


def rollaxis(a, axis, start=0):
    a = asarray(a)
    axis %= a.ndim
    start = start % (a.ndim + 1)
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


def squeeze(a, axis=None):
    a = asarray(a)
    if axis is None:
        axis = tuple(i for i, s in enumerate(a.shape) if s == 1)
    axis = _normalize_axis(axis, a.ndim)
    for ax in axis:
        if a.shape[ax] != 1:
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    index = tuple(0 if i in axis else slice(None) for i in range(a.ndim))
    return a[index]


def expand_dims(a, axis):
    a = asarray(a)
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    ndim = a.ndim + len(axis)
    axis = tuple(ax % ndim for ax in axis)
    it = iter(range(a.ndim))
    index = tuple(None if i in axis else (next(it), slice(None))[1] for i in range(ndim))
    return a[index]


def atleast_1d(*arys):
    out = [asarray(a) if asarray(a).ndim >= 1 else asarray(a)[None] for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(a[None, None] if a.ndim == 0 else a[None] if a.ndim == 1 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(a[None, None, None] if a.ndim == 0 else a[None, :, None] if a.ndim == 1 else
                   a[:, :, None] if a.ndim == 2 else a)
    return out[0] if len(out) == 1 else out


def ravel(a):
    return asarray(a).ravel()


def where(condition, x=None, y=None):
    if (x is None) != (y is None):
        raise ValueError("either both or neither of x and y should be given")
    if x is None:
        return nonzero(condition)
    condition = condition if isinstance(condition, Array) else np.asarray(condition)
    if np.ndim(condition) == 0 and not isinstance(condition, Array):
        return broadcast_to(asarray(x if condition else y), np.broadcast_shapes(np.shape(x), np.shape(y)))
    return elemwise(np.where, condition, x, y, name="where")


def clip(a, a_min=None, a_max=None, min=None, max=None, **kwargs):
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    if a_min is None and a_max is None:
        raise ValueError("clip needs a_min or a_max")
    return elemwise(np.clip, a, a_min, a_max, name="clip")


def around(a, decimals=0):
    return elemwise(np.round, a, decimals, name="round")


round = around


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return elemwise(np.isclose, a, b, rtol=rtol, atol=atol, equal_nan=equal_nan, name="isclose")


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    from .reductions import all
    return all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return False
    from .reductions import all
    if equal_nan:
        return bool(all((a1 == a2) | (elemwise(np.isnan, a1) & elemwise(np.isnan, a2))).compute())
    return bool(all(a1 == a2).compute())


def isnull(values):
    import pandas as pd
    return elemwise(pd.isnull, values, name="isnull", dtype=bool)


def notnull(values):
    return ~isnull(values)


def count_nonzero(a, axis=None):
    from .reductions import count_nonzero as cnz
    return cnz(a, axis=axis)


def _nonzero_block(block, offsets):
    idx = np.nonzero(block)
    return np.stack([i + o for i, o in zip(idx, offsets)], axis=1) if block.ndim else np.zeros((int(bool(block)), 0), int)


def argwhere(a):
    """Positions of nonzero elements, shape (n, ndim) with n unknown (NaN chunks)."""
    a = asarray(a)
    starts = [np.cumsum((0,) + c) for c in a.chunks]
    name = f"argwhere-{tokenize(a)}"
    layer = {}
    for k, idx in enumerate(itertools.product(*(range(n) for n in a.numblocks))):
        offsets = tuple(int(starts[ax][i]) for ax, i in enumerate(idx))
        layer[(name, k, 0)] = (_nonzero_block, (a.name, *idx), offsets)
    return new_array(layer, name, ((math.nan,) * len(layer), (a.ndim,)), np.dtype(np.intp), a)


def nonzero(a):
    a = asarray(a)
    if a.ndim == 0:
        raise ValueError("nonzero of a 0-d array is not supported; use atleast_1d first")
    ind = argwhere(a)
    return tuple(ind[:, i] for i in range(a.ndim))


def flip(m, axis=None):
    m = asarray(m)
    axes = _normalize_axis(axis, m.ndim)
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(m.ndim))]


def flipud(m):
    return flip(m, 0)


def fliplr(m):
    return flip(m, 1)


def rot90(m, k=1, axes=(0, 1)):
    m = asarray(m)
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    axes_list = list(range(m.ndim))
    axes_list[axes[0]], axes_list[axes[1]] = axes_list[axes[1]], axes_list[axes[0]]
    if k == 1:
        return transpose(flip(m, axes[1]), axes_list)
    return flip(transpose(m, axes_list), axes[1])


def diff(a, n=1, axis=-1, prepend=None, append=None):
    a = asarray(a)
    axis %= a.ndim

    def edge(value):
        """prepend / append as an array; a scalar becomes one slice along `axis`, as NumPy's."""
        edge_array = asarray(value if isinstance(value, Array) else np.asarray(value))
        if edge_array.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            edge_array = broadcast_to(edge_array, tuple(shape))
        return edge_array

    parts = ([edge(prepend)] if prepend is not None else []) + [a] + ([edge(append)] if append is not None else [])
    a = concatenate(parts, axis=axis) if len(parts) > 1 else a
    for _ in range(n):
        hi = tuple(slice(1, None) if i == axis else slice(None) for i in range(a.ndim))
        lo = tuple(slice(None, -1) if i == axis else slice(None) for i in range(a.ndim))
        a = a[hi] - a[lo]
    return a


def repeat(a, repeats, axis=None):
    a = asarray(a)
    if axis is None:
        if a.ndim == 1:
            axis = 0
        else:
            raise NotImplementedError("repeat needs axis= for arrays of more than one dimension")
    if not isinstance(repeats, numbers.Integral):
        raise NotImplementedError("repeat takes an integer number of repeats")
    axis %= a.ndim
    chunks = list(a.chunks)
    chunks[axis] = tuple(c * repeats for c in a.chunks[axis])
    return map_blocks(np.repeat, a, repeats, axis=axis, chunks=tuple(chunks), dtype=a.dtype, name="repeat")


def tile(a, reps):
    a = asarray(a)
    if isinstance(reps, numbers.Integral):
        reps = (reps,)
    reps = (1,) * (a.ndim - len(reps)) + tuple(reps)
    a = a[(None,) * (len(reps) - a.ndim)] if len(reps) > a.ndim else a
    for axis, r in enumerate(reps):
        if r != 1:
            a = concatenate([a] * r, axis=axis) if r > 0 else a[tuple(slice(0, 0) if i == axis else slice(None)
                                                                      for i in range(a.ndim))]
    return a


def roll(a, shift, axis=None):
    a = asarray(a)
    if axis is None:
        return roll(a.ravel(), shift, 0).reshape(a.shape)
    if isinstance(shift, numbers.Integral):
        shift = (shift,)
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    for s, ax in zip(shift, axis):
        ax %= a.ndim
        n = a.shape[ax]
        if n == 0:
            continue
        s %= n
        if s == 0:
            continue
        first = tuple(slice(n - s, None) if i == ax else slice(None) for i in range(a.ndim))
        rest = tuple(slice(None, n - s) if i == ax else slice(None) for i in range(a.ndim))
        a = concatenate([a[first], a[rest]], axis=ax)
    return a


def outer(a, b):
    a, b = asarray(a).ravel(), asarray(b).ravel()
    return a[:, None] * b[None, :]


def unique(ar, return_index=False, return_inverse=False, return_counts=False):
    """Sorted unique values (computed eagerly per block then merged lazily)."""
    if return_index or return_inverse:
        raise NotImplementedError("unique supports return_counts only")
    ar = asarray(ar).ravel()
    name = f"unique-chunk-{tokenize(ar)}"
    token = tokenize(ar, return_counts)
    layer = {(name, i): (_unique_block, (ar.name, i)) for i in range(ar.numblocks[0])}
    out = f"unique-aggregate-{token}"
    merged = new_array({(out, 0): (_unique_merge, return_counts, *layer.keys())}, out, ((math.nan,),), ar.dtype, ar)
    merged._layers[name] = layer
    if return_counts:
        values = map_blocks(lambda p: p[0], merged, dtype=ar.dtype, name="unique-values")
        counts = map_blocks(lambda p: p[1], merged, dtype=np.intp, name="unique-counts")
        return values, counts
    return merged


def _unique_block(b):
    return np.unique(b, return_counts=True)


def _unique_merge(counts, *parts):
    values = np.concatenate([p[0] for p in parts])
    weights = np.concatenate([p[1] for p in parts])
    u, inv = np.unique(values, return_inverse=True)
    c = np.bincount(inv.ravel(), weights=weights, minlength=len(u)).astype(np.intp)
    return (u, c) if counts else u


def result_type(*arrays_and_dtypes):
    return np.result_type(*[a.dtype if isinstance(a, Array) else a for a in arrays_and_dtypes])


def shape(a):
    return asarray(a).shape


def ndim(a):
    return asarray(a).ndim


def _pad_widths(pad_width, ndim):
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    if (widths < 0).any():
        raise ValueError("pad widths must be non-negative")
    return [tuple(int(v) for v in w) for w in widths]


def pad(array, pad_width, mode="constant", **kwargs):
    """numpy.pad for the modes constant, edge, reflect, symmetric and wrap: slabs cut from the
    array's edges are joined to it along each axis."""
    x = asarray(array)
    widths = _pad_widths(pad_width, x.ndim)
    if mode not in ("constant", "edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(f"pad mode {mode!r} is not supported; use constant, edge, reflect, symmetric "
                                  "or wrap")
    for axis, (before, after) in enumerate(widths):
        n = x.shape[axis]
        parts = []
        for side, width in ((-1, before), (1, after)):
            if width == 0:
                parts.append(None)
                continue

            def cut(sl):
                return x[tuple(sl if a == axis else slice(None) for a in range(x.ndim))]
            if mode == "constant":
                values = kwargs.get("constant_values", 0)
                value = np.broadcast_to(np.asarray(values), (x.ndim, 2))[axis][0 if side < 0 else 1]
                shape = list(x.shape)
                shape[axis] = width
                from .creation import full
                slab = full(tuple(shape), value, dtype=x.dtype, chunks=tuple(
                    (width,) if a == axis else c for a, c in enumerate(x.chunks)))
            elif mode == "edge":
                if n == 0:
                    raise ValueError("can't extend an empty axis using modes other than 'constant'")
                slab = concatenate([cut(slice(0, 1) if side < 0 else slice(n - 1, n))] * width, axis=axis)
            elif mode == "wrap":
                if width > n:
                    raise NotImplementedError("pad(mode='wrap') wider than the axis is not supported")
                slab = cut(slice(n - width, n) if side < 0 else slice(0, width))
            else:
                extra = 1 if mode == "reflect" else 0
                if width + extra > n:
                    raise NotImplementedError(f"pad(mode={mode!r}) wider than the axis is not supported")
                slab = cut(slice(extra, width + extra) if side < 0 else slice(n - width - extra, n - extra))
                slab = flip(slab, axis)
            parts.append(slab)
        pieces = ([parts[0]] if parts[0] is not None else []) + [x] + ([parts[1]] if parts[1] is not None else [])
        if len(pieces) > 1:
            x = concatenate(pieces, axis=axis)
    return x
