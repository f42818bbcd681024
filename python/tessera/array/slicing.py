"""Indexing: basic (integers, slices with steps, None, Ellipsis) maps output blocks to slices of
input blocks; integer arrays gather along one axis in bounded pieces; boolean masks give blocks
of unknown length (NaN chunks); ``vindex`` picks points; ``blocks`` selects whole blocks."""

from __future__ import annotations

import itertools
import math
import numbers
import operator

import numpy as np

from .core import Array, _block_slices, _isnan, asarray, new_array, tokenize, unify_chunks

__all__ = ["getitem", "setitem", "VIndexer", "BlockView", "take"]


def _normalize_index(x, index):
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, list):
            i = np.asarray(i)
            if i.size == 0:
                i = i.astype(np.intp)
        if isinstance(i, Array) and i.dtype != bool:
            i = i.compute()  # integer index arrays are small; they decide the result's shape
        if isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype != bool:
            i = int(i)
        out.append(i)
    n_ell = sum(1 for i in out if i is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(i.ndim if isinstance(i, (np.ndarray, Array)) and i.dtype == bool else
               0 if i is None or i is Ellipsis else 1 for i in out)
    if used > x.ndim:
        raise IndexError(f"too many indices for array: array is {x.ndim}-dimensional, but {used} were indexed")
    if n_ell:
        at = out.index(Ellipsis)
        out[at:at + 1] = [slice(None)] * (x.ndim - used)
    else:
        out.extend([slice(None)] * (x.ndim - used))
    return out


def getitem(x, index):
    if isinstance(index, str) or (isinstance(index, list) and index and isinstance(index[0], str)):
        raise IndexError("field access by name is not supported on tessera arrays")
    index = _normalize_index(x, index)
    # boolean masks over several axes
    for pos, i in enumerate(index):
        if isinstance(i, (np.ndarray, Array)) and i.dtype == bool:
            if i.ndim == x.ndim and i.ndim > 1 or (i.ndim == 1 and x.ndim == 1):
                if isinstance(i, np.ndarray) and i.ndim == 1:
                    break
                if i.shape != x.shape and not any(_isnan(s) for s in i.shape + x.shape):
                    raise IndexError(f"boolean index of shape {i.shape} does not match the array's shape {x.shape}")
                return _mask_all(x, asarray(i) if isinstance(i, np.ndarray) else i)
            break
    # 1-D boolean NumPy masks become positions
    axis = 0
    resolved = []
    for i in index:
        if isinstance(i, np.ndarray) and i.dtype == bool:
            if i.ndim != 1:
                raise IndexError("a boolean index must cover the array's leading axes; only 1-D masks on one "
                                 "axis or a mask of the whole shape are supported")
            if i.shape[0] != x.shape[axis]:
                raise IndexError(f"boolean index did not match indexed array along axis {axis}; size of axis "
                                 f"is {x.shape[axis]} but size of corresponding boolean axis is {i.shape[0]}")
            i = np.nonzero(i)[0]
        resolved.append(i)
        if i is not None:
            axis += 1
    index = resolved
    arrays = [p for p, i in enumerate(index) if isinstance(i, (np.ndarray, Array))]
    if len(arrays) > 1:
        raise NotImplementedError("indexing with more than one array index is not supported; use "
                                  "x.vindex[...] for point-wise indexing")
    if arrays:
        p = arrays[0]
        basic = list(index)
        basic[p] = slice(None)
        out = _basic(x, basic)
        out_axis = sum(1 for i in index[:p] if not isinstance(i, numbers.Integral))
        fancy = index[p]
        if isinstance(fancy, Array):
            return _mask_axis(out, fancy, out_axis)
        return take(out, fancy, axis=out_axis)
    return _basic(x, index)


def _axis_plan(chunks, i, axis):
    """For one axis: [(input block, local index), ...] in output order, the output chunks, and
    whether the axis is kept."""
    n = sum(chunks)
    bounds = _block_slices((chunks,))[0]
    if isinstance(i, (numbers.Integral, np.integer)):
        if _isnan(n):
            raise IndexError("integer indexing along an axis of unknown length (NaN chunks); call "
                             "compute_chunk_sizes() first")
        i = int(i)
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        i %= n
        for b, (lo, hi) in enumerate(bounds):
            if lo <= i < hi:
                return [(b, i - lo)], None, False
    if not isinstance(i, slice):
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None, and integer or boolean arrays "
                         f"are valid indices, got {i!r}")
    if _isnan(n):
        if i == slice(None) or (i.start in (None, 0) and i.stop is None and i.step in (None, 1)):
            return [(b, slice(None)) for b in range(len(chunks))], chunks, True
        raise IndexError("slicing an axis of unknown length (NaN chunks) needs its chunk sizes; call "
                         "compute_chunk_sizes() first")
    start, stop, step = i.indices(n)
    plan, out = [], []
    if step > 0:
        for b, (lo, hi) in enumerate(bounds):
            end = min(hi, stop)
            first = start if start >= lo else start + -(-(lo - start) // step) * step
            if first < end and first >= lo:
                count = -(-(end - first) // step)
                local = slice(first - lo, end - lo, step)
                if local == slice(0, hi - lo, 1):
                    local = slice(None)
                plan.append((b, local))
                out.append(count)
    else:
        s = -step
        for b in range(len(bounds) - 1, -1, -1):
            lo, hi = bounds[b]
            first = start if start <= hi - 1 else start - -(-(start - (hi - 1)) // s) * s
            floor = max(stop, lo - 1)
            if first >= lo and first > floor:
                count = -(-(first - floor) // s)
                plan.append((b, slice(first - lo, floor - lo if floor - lo >= 0 else None, step)))
                out.append(count)
    if not plan:
        return [(0, slice(0, 0))], (0,), True
    return plan, tuple(out), True


def _basic(x, index):
    if all(isinstance(i, slice) and i == slice(None) for i in index):
        return x
    plans, out_chunks, layout = [], [], []
    axis = 0
    for i in index:
        if i is None:
            layout.append(("new", None))
            out_chunks.append((1,))
            continue
        plan, chunks, kept = _axis_plan(x.chunks[axis], i, axis)
        plans.append(plan)
        layout.append(("axis", len(plans) - 1, kept))
        if kept:
            out_chunks.append(chunks)
        axis += 1
    name = f"getitem-{tokenize(x, index)}"
    layer = {}
    for combo in itertools.product(*(range(len(p)) for p in plans)):
        in_idx = tuple(plans[a][c][0] for a, c in enumerate(combo))
        local, out_idx = [], []
        trivial = True
        for item in layout:
            if item[0] == "new":
                local.append(None)
                out_idx.append(0)
                trivial = False
                continue
            a, kept = item[1], item[2]
            loc = plans[a][combo[a]][1]
            local.append(loc)
            if kept:
                out_idx.append(combo[a])
                if loc != slice(None):
                    trivial = False
            else:
                trivial = False
        key = (name, *out_idx)
        if trivial:
            layer[key] = (x.name, *in_idx)
        else:
            layer[key] = (operator.getitem, (x.name, *in_idx), tuple(local))
    if not out_chunks:
        layer = {(name,): next(iter(layer.values()))}
    return new_array(layer, name, tuple(out_chunks), x.dtype, x)


def _take_piece(axis, parts, *blocks):
    """One output block of take: parts[k] = (local indices, output positions) in blocks[k]."""
    if len(blocks) == 1 and parts[0][1] is None:
        return np.take(blocks[0], parts[0][0], axis=axis)
    n = sum(len(pos) for _, pos in parts)
    shape = list(blocks[0].shape)
    shape[axis] = n
    out = np.empty(shape, dtype=blocks[0].dtype)
    for (local, pos), b in zip(parts, blocks):
        index = (slice(None),) * axis + (pos,)
        out[index] = np.take(b, local, axis=axis)
    return out


def take(x, indices, axis=0):
    """Elements at integer positions along one axis, gathered in pieces of at most one input
    chunk's length."""
    x = asarray(x)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise IndexError(f"arrays used as indices must be of integer (or boolean) type, not {indices.dtype}")
    axis %= x.ndim
    n = x.shape[axis]
    if _isnan(n):
        raise IndexError("integer-array indexing along an axis of unknown length; call compute_chunk_sizes() first")
    if indices.ndim != 1:
        flat = take(x, indices.ravel(), axis)
        return flat.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])
    if indices.size and (indices.max() >= n or indices.min() < -n):
        bad = indices[(indices >= n) | (indices < -n)][0]
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {n}")
    indices = np.where(indices < 0, indices + n, indices)
    chunks = x.chunks[axis]
    starts = np.cumsum((0,) + chunks)
    piece = max(max(chunks), 1)
    name = f"take-{tokenize(x, indices, axis)}"
    layer = {}
    out_chunks = []
    pieces = [indices[i:i + piece] for i in range(0, len(indices), piece)] or [indices]
    other = [range(nb) for a, nb in enumerate(x.numblocks) if a != axis]
    for p, idx in enumerate(pieces):
        out_chunks.append(len(idx))
        blocks = np.searchsorted(starts, idx, side="right") - 1 if len(idx) else np.array([0])
        touched = list(dict.fromkeys(blocks.tolist()))
        parts = []
        for b in touched:
            sel = np.nonzero(blocks == b)[0]
            local = idx[sel] - starts[b] if len(idx) else np.array([], dtype=np.intp)
            parts.append((local, None if len(touched) == 1 else sel))
        for rest in itertools.product(*other):
            in_idx = list(rest)
            out_idx = list(rest)
            out_idx.insert(axis, p)
            keys = []
            for b in touched:
                k = list(rest)
                k.insert(axis, b)
                keys.append((x.name, *k))
            layer[(name, *out_idx)] = (_take_piece, axis, parts, *keys)
            del in_idx
    chunks_out = list(x.chunks)
    chunks_out[axis] = tuple(out_chunks)
    return new_array(layer, name, tuple(chunks_out), x.dtype, x)


def _masked(block, mask):
    return block[mask]


def _mask_all(x, mask):
    """x[mask] for a mask of x's shape: one block of unknown length per input block, in NumPy's
    C order (arrays of several dimensions are raveled first)."""
    if x.ndim > 1:
        x, mask = x.ravel(), mask.ravel()
    _, (x, mask) = unify_chunks(x, tuple(range(x.ndim)), mask, tuple(range(mask.ndim)))
    name = f"getitem-{tokenize(x, mask)}"
    layer = {}
    for k, idx in enumerate(itertools.product(*(range(n) for n in x.numblocks))):
        layer[(name, k)] = (_masked, (x.name, *idx), (mask.name, *idx))
    return new_array(layer, name, ((math.nan,) * len(layer),), x.dtype, x, mask)


def _mask_along(block, mask, axis):
    return np.compress(mask, block, axis=axis)


def _mask_axis(x, mask, axis):
    """x[..., mask, ...] for a 1-D boolean array along `axis`: that axis gets unknown lengths."""
    if mask.ndim != 1 or mask.dtype != bool:
        raise IndexError("a lazy index array must be a 1-D boolean mask")
    ind = tuple(range(x.ndim))
    _, (x, mask) = unify_chunks(x, ind, mask, (axis,))
    name = f"getitem-{tokenize(x, mask, axis)}"
    layer = {}
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        layer[(name, *idx)] = (_mask_along, (x.name, *idx), (mask.name, idx[axis]), axis)
    chunks = list(x.chunks)
    chunks[axis] = (math.nan,) * x.numblocks[axis]
    return new_array(layer, name, tuple(chunks), x.dtype, x, mask)


# --------------------------------------------------------------------------------------------

def _assign(block, local, value):
    out = block.copy()
    out[local] = value
    return out


def setitem(x, index, value):
    """x with x[index] = value (a new graph; the array object is updated in place by the caller)."""
    from .routines import where
    if isinstance(index, (Array, np.ndarray)) and getattr(index, "dtype", None) == bool:
        mask = asarray(index)
        if mask.ndim != x.ndim:
            raise IndexError("a boolean mask used in assignment must have the array's shape")
        if isinstance(value, Array) and value.ndim > 0 and value.shape != x.shape:
            raise ValueError("assigning an array through a boolean mask needs a value of the array's shape "
                             "or a scalar")
        return where(mask, value, x).astype(x.dtype)
    if isinstance(value, Array):
        value = value.compute()  # values are placed by position; they are at most the selection's size
    index = _normalize_index(x, index)
    if any(i is None for i in index):
        raise IndexError("None is not allowed in an assignment index")
    for i in index:
        if not isinstance(i, (slice, numbers.Integral, np.integer)):
            raise NotImplementedError("assignment supports integers, slices and boolean masks of the array's "
                                      "shape (as Dask); got an array index")
    value = np.asarray(value)
    sel_shape, per_axis = [], []
    for axis, (i, c) in enumerate(zip(index, x.chunks)):
        n = sum(c)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            count = len(range(start, stop, step))
            sel_shape.append(count)
            per_axis.append(("slice", start, step, count))
        else:
            i = int(i)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            per_axis.append(("int", i % n))
    try:
        value = np.broadcast_to(value, tuple(sel_shape))
    except ValueError:
        raise ValueError(f"could not broadcast the assigned value of shape {value.shape} into the "
                         f"selection of shape {tuple(sel_shape)}") from None
    value = value.astype(x.dtype, copy=False)
    name = f"setitem-{tokenize(x, index, value)}"
    bounds = _block_slices(x.chunks)
    layer = {}
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        local, vsel, hit = [], [], True
        for axis, b in enumerate(idx):
            lo, hi = bounds[axis][b]
            spec = per_axis[axis]
            if spec[0] == "int":
                if not lo <= spec[1] < hi:
                    hit = False
                    break
                local.append(spec[1] - lo)
                continue
            _, start, step, count = spec
            ks = [k for k in (range(count)) if lo <= start + k * step < hi] if count < 1 << 16 else None
            if ks is None:
                r = np.arange(count)
                pos = start + r * step
                ks = r[(pos >= lo) & (pos < hi)].tolist()
            if not ks:
                hit = False
                break
            k0, k1 = ks[0], ks[-1]
            p0 = start + k0 * step - lo
            p1 = start + k1 * step - lo
            local.append(slice(p0, p1 + (1 if step > 0 else -1) if p1 + (1 if step > 0 else -1) >= 0 else None, step))
            vsel.append(slice(k0, k1 + 1))
        if hit:
            layer[(name, *idx)] = (_assign, (x.name, *idx), tuple(local), np.ascontiguousarray(value[tuple(vsel)]))
        else:
            layer[(name, *idx)] = (x.name, *idx)
    return new_array(layer, name, x.chunks, x.dtype, x)


# --------------------------------------------------------------------------------------------

def _points(block, local):
    return block[tuple(local)]


def _gather_points(shape, dtype, n, tail_shape, parts, *values):
    out = np.empty((n,) + tail_shape, dtype=dtype)
    for positions, v in zip(parts, values):
        out[positions] = v
    return out.reshape(shape + tail_shape)


class VIndexer:
    """x.vindex[i, j]: point-wise (NumPy-style broadcast) integer indexing; the result is one block."""

    def __init__(self, x):
        self._x = x

    def __getitem__(self, index):
        x = self._x
        if not isinstance(index, tuple):
            index = (index,)
        if any(isinstance(i, slice) and i != slice(None) for i in index):
            raise NotImplementedError("vindex takes integer arrays; slice first, then use vindex")
        arrays = [np.asarray(i.compute() if isinstance(i, Array) else i) for i in index]
        for a in arrays:
            if a.dtype.kind not in "iub":
                raise IndexError(f"vindex needs integer arrays, got dtype {a.dtype}")
        arrays = [np.nonzero(a)[0] if a.dtype == bool else a for a in arrays]
        if len(arrays) > x.ndim:
            raise IndexError(f"too many indices for array of {x.ndim} dimensions")
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
        arrays = [np.broadcast_to(a, shape).ravel() for a in arrays]
        for axis, a in enumerate(arrays):
            n = x.shape[axis]
            if a.size and (a.max() >= n or a.min() < -n):
                raise IndexError(f"vindex: index out of bounds for axis {axis} with size {n}")
            arrays[axis] = np.where(a < 0, a + n, a)
        k = len(arrays)
        rest = x.rechunk({a: -1 for a in range(k, x.ndim)}) if x.ndim > k else x
        starts = [np.cumsum((0,) + c) for c in rest.chunks[:k]]
        blocks = [np.searchsorted(s, a, side="right") - 1 for s, a in zip(starts, arrays)]
        npoints = arrays[0].size if arrays else 0
        name = f"vindex-{tokenize(x, shape, [a.tobytes() for a in arrays])}"
        pick = f"vindex-slice-{name.split('-')[-1]}"
        layer_pick, parts, keys = {}, [], []
        if npoints:
            combos = np.stack(blocks, axis=1)
            uniq, inverse = np.unique(combos, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            for u, combo in enumerate(uniq):
                sel = np.nonzero(inverse == u)[0]
                local = [arrays[a][sel] - starts[a][combo[a]] for a in range(k)]
                key = (pick, u)
                layer_pick[key] = (_points, (rest.name, *combo.tolist(), *([0] * (rest.ndim - k))), local)
                parts.append(sel)
                keys.append(key)
        tail = tuple(rest.shape[k:])
        out_name = name
        layer_out = {(out_name,) + (0,) * (len(shape) + len(tail)):
                     (_gather_points, shape, x.dtype, npoints, tail, parts, *keys)}
        out = new_array(layer_out, out_name, tuple((s,) for s in shape + tail), x.dtype, rest)
        out._layers[pick] = layer_pick
        return out


class BlockView:
    """x.blocks[i, j]: an array made of the selected blocks (dimensions are kept)."""

    def __init__(self, x):
        self._x = x

    @property
    def shape(self):
        return self._x.numblocks

    @property
    def size(self):
        return math.prod(self._x.numblocks)

    def __len__(self):
        return self._x.numblocks[0]

    def ravel(self):
        return [self[idx] for idx in itertools.product(*(range(n) for n in self._x.numblocks))]

    def __iter__(self):
        for i in range(self._x.numblocks[0]):
            yield self[i]

    def __getitem__(self, index):
        x = self._x
        if not isinstance(index, tuple):
            index = (index,)
        if any(i is None for i in index):
            raise IndexError("blocks does not take None")
        index = index + (slice(None),) * (x.ndim - len(index))
        if len(index) > x.ndim:
            raise IndexError(f"too many block indices for an array of {x.ndim} dimensions")
        picks = []
        for axis, (i, n) in enumerate(zip(index, x.numblocks)):
            r = np.arange(n)[i]
            picks.append(np.atleast_1d(r).tolist())
        name = f"blocks-{tokenize(x, index)}"
        layer = {}
        for out_idx in itertools.product(*(range(len(p)) for p in picks)):
            layer[(name, *out_idx)] = (x.name, *(picks[a][j] for a, j in enumerate(out_idx)))
        chunks = tuple(tuple(x.chunks[a][b] for b in p) for a, p in enumerate(picks))
        return new_array(layer, name, chunks, x.dtype, x)
