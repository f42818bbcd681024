"""xarray's chunk-manager entry point for tessera arrays, registered in pyproject.toml under
``xarray.chunkmanagers`` as "tessera": ``ds.chunk(..., chunked_array_type="tessera")`` and
``xr.open_dataset(..., chunks=..., chunked_array_type="tessera")`` build tessera arrays, and
xarray's computations run on tessera's scheduler."""

from __future__ import annotations

from xarray.namedarray.parallelcompat import ChunkManagerEntrypoint

from . import core
from .chunks import auto_chunk_bytes, normalize_chunks

__all__ = ["TesseraChunkManager"]


class TesseraChunkManager(ChunkManagerEntrypoint):
    available = True

    def __init__(self):
        self.array_cls = core.Array

    def is_chunked_array(self, data):
        # xarray's Dask manager already recognises tessera arrays (they follow Dask's collection
        # protocol, and dask.compute runs them on tessera's scheduler through
        # __dask_scheduler__). xarray refuses a type two managers claim, so recognition stays
        # with Dask's; this manager builds tessera arrays when named (chunked_array_type).
        return False

    def chunks(self, data):
        return data.chunks

    def normalize_chunks(self, chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
        return normalize_chunks(chunks, shape, limit=limit, dtype=dtype, previous_chunks=previous_chunks)

    def from_array(self, data, chunks, **kwargs):
        kwargs.pop("inline_array", None)
        kwargs.pop("lock", None)
        return core.from_array(data, chunks=chunks, name=kwargs.pop("name", None), meta=kwargs.pop("meta", None))

    def rechunk(self, data, chunks, **kwargs):
        return data.rechunk(chunks)

    def compute(self, *data, **kwargs):
        from ..base import compute
        return compute(*data)

    def persist(self, *data, **kwargs):
        from ..base import persist
        return persist(*data)

    @property
    def array_api(self):
        from .. import array
        return array

    def reduction(self, arr, func, combine_func=None, aggregate_func=None, axis=None, dtype=None, keepdims=False):
        from .reductions import reduction
        return reduction(arr, func, aggregate_func or func, combine=combine_func, axis=axis, dtype=dtype,
                         keepdims=keepdims)

    def apply_gufunc(self, func, signature, *args, axes=None, axis=None, keepdims=False, output_dtypes=None,
                     output_sizes=None, vectorize=None, allow_rechunk=False, meta=None, **kwargs):
        return core.apply_gufunc(func, signature, *args, axes=axes, axis=axis, keepdims=keepdims,
                                 output_dtypes=output_dtypes, output_sizes=output_sizes, vectorize=vectorize,
                                 allow_rechunk=allow_rechunk, meta=meta, **kwargs)

    def map_blocks(self, func, *args, dtype=None, chunks=None, drop_axis=None, new_axis=None, **kwargs):
        return core.map_blocks(func, *args, dtype=dtype, chunks=chunks, drop_axis=drop_axis, new_axis=new_axis,
                               **kwargs)

    def blockwise(self, func, out_ind, *args, adjust_chunks=None, new_axes=None, align_arrays=True, **kwargs):
        return core.blockwise(func, out_ind, *args, adjust_chunks=adjust_chunks, new_axes=new_axes,
                              align_arrays=align_arrays, **kwargs)

    def unify_chunks(self, *args, **kwargs):
        return core.unify_chunks(*args, **kwargs)

    def store(self, sources, targets, **kwargs):
        from .io import store
        return store(sources, targets, **kwargs)

    def get_auto_chunk_size(self):
        return auto_chunk_bytes
