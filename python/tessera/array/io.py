"""Storage: writing blocks into array-like targets (``store``) and Zarr arrays."""

from __future__ import annotations

import itertools
import threading

import numpy as np

from .core import Array, _block_slices, from_array, new_array, tokenize

__all__ = ["store", "from_zarr", "to_zarr"]


def _write(block, target, index, lock):
    if lock is None:
        target[index] = block
    else:
        with lock:  # blocks that share a storage chunk must not interleave their writes
            target[index] = block
    return None


def _done(*_):
    return None


def store(sources, targets, lock=True, regions=None, compute=True, return_stored=False, **kwargs):
    """Writes every block of each source into its target (anything with NumPy-style slice
    assignment: zarr, h5py, NumPy arrays); one task per block. With lock=True (the default, as
    Dask) writes take one lock, as blocks that share a storage chunk must not overlap; pass
    lock=False when the blocks match the target's chunks, or a lock of your own."""
    if lock is True:
        lock = threading.Lock()
    elif lock is False:
        lock = None
    if isinstance(sources, Array):
        sources, targets = [sources], [targets]
    if len(sources) != len(targets):
        raise ValueError(f"store got {len(sources)} sources and {len(targets)} targets")
    if regions is not None and not isinstance(regions, list):
        regions = [regions] * len(sources)
    outs = []
    for k, (src, tgt) in enumerate(zip(sources, targets)):
        if tuple(getattr(tgt, "shape", src.shape)) != src.shape and regions is None:
            raise ValueError(f"store: target {k} has shape {tgt.shape}, the source has {src.shape}")
        region = regions[k] if regions else None
        name = f"store-map-{tokenize(src, id(tgt), region)}"
        slices = _block_slices(src.chunks)
        layer = {}
        for idx in itertools.product(*(range(n) for n in src.numblocks)):
            index = tuple(slice(*slices[a][i]) for a, i in enumerate(idx))
            if region is not None:
                index = tuple(slice((r.start or 0) + s.start, (r.start or 0) + s.stop) for r, s in zip(region, index))
            layer[(name, *idx)] = (_write, (src.name, *idx), tgt, index, lock)
        outs.append(new_array(layer, name, tuple((1,) * n for n in src.numblocks), np.dtype(object), src))
    if return_stored:
        if compute:
            _run(outs)
        return tuple(from_array(t, chunks=s.chunks) for s, t in zip(sources, targets))
    if compute:
        _run(outs)
        return None
    names = [o.name for o in outs]
    final = f"store-{tokenize(*names)}"
    keys = [k for o in outs for k in o._keys()]
    result = new_array({(final,): (_done, *keys)}, final, (), np.dtype(object), *outs)
    from ..delayed import Delayed
    return Delayed(result._graph_leaves()[0])


def _run(arrays):
    """Runs the write tasks of `arrays` in one engine call (their values are None)."""
    from .. import _core, _scheduler
    from .core import merge_layers
    from ._graph import build_nodes
    graph = merge_layers(*arrays)
    view = arrays[0]._graph_view().__class__(graph)
    nodes = build_nodes(view, [k for a in arrays for k in a._keys()])
    _core.compute_nodes(nodes, _scheduler.current())


def from_zarr(url, component=None, storage_options=None, chunks=None, name=None, inline_array=False, **kwargs):
    """A chunked array over a Zarr array (a zarr.Array, or a path/URL and component)."""
    import zarr
    if isinstance(url, zarr.Array):
        z = url
    else:
        z = zarr.open_array(url, path=component, mode="r", storage_options=storage_options) if component else \
            zarr.open_array(url, mode="r", storage_options=storage_options)
    return from_array(z, chunks=z.chunks if chunks is None else chunks,
                      name=name or f"from-zarr-{tokenize(str(url), component, z.shape)}")


def to_zarr(arr, url, component=None, storage_options=None, overwrite=False, region=None, compute=True,
            return_stored=False, **kwargs):
    """Writes the array to a Zarr array (created with the array's chunks, which must be regular:
    equal blocks except the last along each axis)."""
    import zarr
    for axis, c in enumerate(arr.chunks):
        if len(c) > 1 and (len(set(c[:-1])) > 1 or c[-1] > c[0]):
            raise ValueError(f"to_zarr needs regular chunks (equal blocks, the last one may be smaller); axis "
                             f"{axis} has {c}. Call rechunk() first")
    if isinstance(url, zarr.Array):
        z = url
    else:
        z = zarr.open_array(url, mode="w" if overwrite else "w-", shape=arr.shape, dtype=arr.dtype,
                            chunks=tuple(c[0] if c else 1 for c in arr.chunks), path=component,
                            storage_options=storage_options, **kwargs) if component else \
            zarr.open_array(url, mode="w" if overwrite else "w-", shape=arr.shape, dtype=arr.dtype,
                            chunks=tuple(max(c[0], 1) if c else 1 for c in arr.chunks),
                            storage_options=storage_options, **kwargs)
    return store(arr, z, lock=False, regions=region, compute=compute, return_stored=return_stored)
