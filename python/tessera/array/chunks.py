"""Chunk specifications as Dask reads them: ints, tuples, dicts by axis, ``"auto"``, byte sizes
(``"64 MB"``), ``-1`` / ``None`` (the whole axis), and unknown sizes (NaN)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..base import parse_bytes

__all__ = ["normalize_chunks", "auto_chunk_bytes", "blockdims_from_blockshape"]

# what "auto" aims at: Dask's default array.chunk-size
auto_chunk_bytes = 128 * 2**20


def _isnan(x):
    return isinstance(x, float) and math.isnan(x)


def blockdims_from_blockshape(shape, blockshape):
    return tuple(
        ((bd,) * (d // bd) + ((d % bd,) if d % bd else ()) if d else (0,)) if not _isnan(d) else (math.nan,)
        for d, bd in zip(shape, blockshape))


def _auto_sizes(shape, dtype, limit, previous=None, fixed=None):
    """Chunk edge per axis for the "auto" axes (None in `fixed`): as square as possible so a block
    holds about `limit` bytes, never more than the axis."""
    itemsize = np.dtype(dtype if dtype is not None else float).itemsize
    fixed = list(fixed) if fixed is not None else [None] * len(shape)
    budget = limit / itemsize
    for i, f in enumerate(fixed):
        if f is not None:
            budget /= max(f, 1)
    auto = [i for i, f in enumerate(fixed) if f is None]
    out = list(fixed)
    remaining = list(auto)
    while remaining:
        edge = max(budget, 1) ** (1 / len(remaining))
        small = [i for i in remaining if shape[i] <= edge]
        if not small:
            for i in remaining:
                out[i] = max(1, int(edge))
            break
        for i in small:
            out[i] = max(shape[i], 1)
            budget /= max(shape[i], 1)
            remaining.remove(i)
    return out


def normalize_chunks(chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
    """Chunks as a tuple of tuples of block lengths per axis (Dask's ``normalize_chunks``)."""
    if shape is not None:
        shape = tuple(shape)
    if isinstance(chunks, list):
        chunks = tuple(chunks)
    if isinstance(chunks, dict):
        if shape is None:
            raise ValueError("chunks given as a dict need the array's shape")
        base = previous_chunks if previous_chunks is not None else (-1,) * len(shape)
        chunks = chunks_from_dict(chunks, len(shape), base)
    if chunks is None:
        raise ValueError("chunks= is required: an int, a tuple per axis, 'auto' or a byte size such as '64 MB'")
    if isinstance(chunks, (numbers.Integral, str)) or _isnan(chunks):
        if shape is None:
            raise ValueError("chunks given as one value need the array's shape")
        chunks = (chunks,) * len(shape)
    if shape is not None and len(chunks) != len(shape):
        if all(isinstance(c, numbers.Number) for c in chunks) and len(shape) == 1 and sum(chunks) == shape[0]:
            chunks = (tuple(chunks),)
        else:
            raise ValueError(f"chunks={chunks!r} has {len(chunks)} entries for an array of {len(shape)} "
                             f"dimensions {shape}; give one entry per axis")
    if shape is None:
        if all(isinstance(c, tuple) for c in chunks):
            return tuple(tuple(c) for c in chunks)
        raise ValueError("chunks need the array's shape unless given as a tuple of block lengths per axis")
    # byte sizes and "auto"
    limit_bytes = auto_chunk_bytes if limit is None else parse_bytes(limit, "limit")
    resolved = []
    autos = []
    for i, (c, d) in enumerate(zip(chunks, shape)):
        if isinstance(c, str):
            if c == "auto":
                autos.append(i)
                resolved.append(None)
                continue
            limit_bytes = parse_bytes(c, "chunks")
            autos.append(i)
            resolved.append(None)
            continue
        if c is None or (isinstance(c, numbers.Integral) and c == -1):
            resolved.append(d)
            continue
        resolved.append(c)
    if autos:
        if any(_isnan(shape[i]) for i in autos):
            raise ValueError("chunks='auto' cannot be used on axes of unknown length")
        fixed = [None if i in autos else (max(r) if isinstance(r, tuple) and r else r)
                 for i, r in enumerate(resolved)]
        fixed = [f if f is None or not _isnan(f) else 1 for f in fixed]
        sizes = _auto_sizes(shape, dtype, limit_bytes, previous_chunks, fixed)
        for i in autos:
            resolved[i] = sizes[i]
    out = []
    for i, (c, d) in enumerate(zip(resolved, shape)):
        if isinstance(c, tuple):
            if not _isnan(d) and not any(_isnan(x) for x in c) and sum(c) != d:
                raise ValueError(f"chunks {c} along axis {i} add up to {sum(c)}, but the axis has length {d}")
            out.append(tuple(int(x) if not _isnan(x) else math.nan for x in c))
            continue
        if isinstance(c, float) and not _isnan(c):
            c = int(c)
        if not isinstance(c, numbers.Integral) and not _isnan(c):
            raise ValueError(f"chunks entry {c!r} for axis {i} is not understood; give an int, a tuple of "
                             "block lengths, -1, 'auto' or a byte size such as '64 MB'")
        if _isnan(d):
            out.append((math.nan,))
            continue
        c = int(c)
        if c <= 0:
            if d == 0:
                out.append((0,))
                continue
            raise ValueError(f"chunk length {c} along axis {i} must be positive (or -1 for the whole axis)")
        if d == 0:
            out.append((0,))
            continue
        out.append((c,) * (d // c) + ((d % c,) if d % c else ()))
    return tuple(out)


def chunks_from_dict(chunks, ndim, current):
    """A dict of chunks by axis applied over the current chunks (Dask's rechunk({0: 10}))."""
    out = list(current)
    for axis, c in chunks.items():
        if not -ndim <= axis < ndim:
            raise ValueError(f"chunks names axis {axis}, but the array has {ndim} dimensions")
        out[axis % ndim] = c
    return tuple(out)
