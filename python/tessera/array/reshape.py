"""reshape in C order: the input is rechunked to slabs along its first axis (the other axes whole),
so every block is a contiguous range of the flattened array; each output slab then joins the
pieces of the input slabs its own range overlaps. Blocks stay about the input's block size."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .core import _isnan, new_array, tokenize

__all__ = ["reshape"]


def _normalize_shape(shape, size):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _slab_rows(shape, itemsize, target_bytes):
    inner = max(1, math.prod(shape[1:]))
    return max(1, min(shape[0] if shape else 1, target_bytes // max(1, inner * itemsize)))


def _piece(flat_lo, flat_hi, out_shape, parts):
    """An output slab from (input block, its flat start) parts."""
    pieces = []
    for block, start in parts:
        flat = block.reshape(-1)
        a = max(flat_lo, start) - start
        b = min(flat_hi, start + flat.size) - start
        pieces.append(flat[a:b])
    data = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    return data.reshape(out_shape)


def _piece_task(flat_lo, flat_hi, out_shape, starts, *blocks):
    return _piece(flat_lo, flat_hi, out_shape, list(zip(blocks, starts)))


def reshape(x, shape, merge_chunks=True, limit=None):
    if any(_isnan(s) for s in x.shape):
        raise ValueError("reshape needs known chunk sizes; call compute_chunk_sizes() first")
    shape = _normalize_shape(shape, x.size)
    if shape == x.shape:
        return x
    if x.npartitions == 1:
        return _single(x, shape)
    target = max(x.dtype.itemsize * math.prod(x.chunksize), 1 << 20)
    rows_in = _slab_rows(x.shape, x.dtype.itemsize, target)
    slabs = x.rechunk((rows_in,) + (-1,) * (x.ndim - 1)) if x.ndim > 1 else x
    inner_in = max(1, math.prod(x.shape[1:]))
    in_starts, pos = [], 0
    for c in slabs.chunks[0]:
        in_starts.append(pos * inner_in)
        pos += c
    rows_out = _slab_rows(shape, x.dtype.itemsize, target) if shape else 1
    inner_out = max(1, math.prod(shape[1:]))
    out_rows = []
    n = shape[0] if shape else 1
    r = 0
    while r < n:
        out_rows.append(min(rows_out, n - r))
        r += rows_out
    if not out_rows:
        out_rows = [0]
    name = f"reshape-{tokenize(x, shape)}"
    layer = {}
    row = 0
    for i, rows in enumerate(out_rows):
        lo, hi = row * inner_out, (row + rows) * inner_out
        row += rows
        keys, starts = [], []
        for b, start in enumerate(in_starts):
            end = start + slabs.chunks[0][b] * inner_in
            if end > lo and start < hi or (lo == hi and b == 0):
                keys.append((slabs.name, b) + (0,) * (slabs.ndim - 1))
                starts.append(start)
        out_shape = (rows,) + tuple(shape[1:])
        layer[(name, i) + (0,) * (len(shape) - 1)] = (_piece_task, lo, hi, out_shape, tuple(starts), *keys)
    chunks = (tuple(out_rows),) + tuple((s,) for s in shape[1:])
    return new_array(layer, name, chunks, x.dtype, slabs)


def _single(x, shape):
    name = f"reshape-{tokenize(x, shape)}"
    key = (x.name,) + (0,) * x.ndim
    layer = {(name,) + (0,) * len(shape): (np.reshape, key, shape)}
    return new_array(layer, name, tuple((s,) for s in shape), x.dtype, x)
