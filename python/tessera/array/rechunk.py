"""Rechunking in two steps with bounded memory: every input block is cut into the pieces that
overlap output blocks (``rechunk-split``), and every output block joins only its own pieces
(``rechunk-merge``). A task never holds more than one input block or one output block, and an
input block is released as soon as its pieces are cut."""

from __future__ import annotations

import itertools
import operator

from .chunks import chunks_from_dict, normalize_chunks
from .core import _block_slices, _concat_nested, _isnan, new_array, tokenize

__all__ = ["rechunk"]


def _overlaps(old, new):
    """For each new block along one axis: [(old block, local slice), ...]."""
    old_b, new_b = _block_slices((old,))[0], _block_slices((new,))[0]
    out, j = [], 0
    for lo, hi in new_b:
        parts = []
        while j < len(old_b) and old_b[j][1] <= lo and not (old_b[j][0] == old_b[j][1] == lo):
            j += 1
        k = j
        while k < len(old_b) and old_b[k][0] < hi:
            a, b = max(lo, old_b[k][0]), min(hi, old_b[k][1])
            if b > a:
                parts.append((k, slice(a - old_b[k][0], b - old_b[k][0])))
            k += 1
        if not parts:  # an empty block
            parts.append((min(j, len(old_b) - 1), slice(0, 0)))
        out.append(parts)
    return out


def _join(*pieces_and_shape):
    *pieces, grid = pieces_and_shape

    def nest(flat, dims):
        if not dims:
            return flat.pop(0)
        step = len(flat) // dims[0]
        return [nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])]
    return _concat_nested(nest(list(pieces), list(grid)))


def rechunk(x, chunks="auto", block_size_limit=None, balance=False, threshold=None):
    """The same array cut into new chunks."""
    if isinstance(chunks, dict):
        chunks = chunks_from_dict(chunks, x.ndim, x.chunks)
        chunks = tuple(x.chunks[i] if c is None else c for i, c in enumerate(chunks))
    if isinstance(chunks, (tuple, list)):
        chunks = tuple(x.chunks[i] if c is None else c for i, c in enumerate(chunks))
        if len(chunks) != x.ndim:
            raise ValueError(f"chunks {chunks!r} has {len(chunks)} entries for an array of {x.ndim} dimensions")
    if any(any(_isnan(c) for c in cs) for cs in x.chunks):
        raise ValueError("cannot rechunk an array of unknown chunk sizes (NaN); call compute_chunk_sizes() first")
    new = normalize_chunks(chunks, x.shape, limit=block_size_limit, dtype=x.dtype, previous_chunks=x.chunks)
    if balance:
        new = tuple(_balance(c) for c in new)
    if new == x.chunks:
        return x
    token = tokenize(x, new)
    split, merge = f"rechunk-split-{token}", f"rechunk-merge-{token}"
    plans = [_overlaps(o, n) for o, n in zip(x.chunks, new)]
    split_layer, merge_layer = {}, {}
    piece_ids = {}
    for out_idx in itertools.product(*(range(len(n)) for n in new)):
        parts_per_axis = [plans[a][i] for a, i in enumerate(out_idx)]
        grid = [len(p) for p in parts_per_axis]
        if all(g == 1 for g in grid):
            (blk, sl) = zip(*[p[0] for p in parts_per_axis])
            if all(s == slice(0, x.chunks[a][b]) for a, (b, s) in enumerate(zip(blk, sl))):
                merge_layer[(merge, *out_idx)] = (x.name, *blk)
                continue
        keys = []
        for combo in itertools.product(*parts_per_axis):
            blk = tuple(b for b, _ in combo)
            sl = tuple(s for _, s in combo)
            ident = (blk, tuple((s.start, s.stop) for s in sl))
            key = piece_ids.get(ident)
            if key is None:
                key = (split, len(piece_ids))
                piece_ids[ident] = key
                split_layer[key] = (operator.getitem, (x.name, *blk), sl)
            keys.append(key)
        merge_layer[(merge, *out_idx)] = (_join, *keys, tuple(grid)) if len(keys) > 1 else keys[0]
    out = new_array(merge_layer, merge, new, x.dtype, x)
    if split_layer:
        out._layers[split] = split_layer
    return out


def _balance(c):
    n = len(c)
    total = sum(c)
    if n <= 1:
        return c
    size = -(-total // n)
    return normalize_chunks(size, (total,))[0]
