"""NumPy functions called on tessera arrays (``__array_function__``) and their lazy versions."""

from __future__ import annotations

import numpy as np

from . import core, creation, linalg, reductions, routines

HANDLED = {}


def _register(numpy_func, func):
    HANDLED[numpy_func] = func


for _name in ["sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "any", "all", "nansum",
              "nanprod", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax", "nanargmin", "nanargmax", "cumsum",
              "cumprod", "nancumsum", "nancumprod", "histogram", "median", "nanmedian", "average", "ptp"]:
    _register(getattr(np, _name), getattr(reductions, _name))
_register(np.amin, reductions.min)
_register(np.amax, reductions.max)
_register(np.percentile, reductions.percentile)
for _name in ["transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims", "where", "clip", "nonzero",
              "repeat", "isclose", "allclose", "around", "round", "flip", "flipud", "fliplr", "diff", "ravel",
              "atleast_1d", "atleast_2d", "atleast_3d", "unique", "argwhere", "count_nonzero", "roll", "outer",
              "result_type", "shape", "ndim", "array_equal", "rollaxis", "tile", "rot90"]:
    _register(getattr(np, _name), getattr(routines, _name))
for _name in ["concatenate", "stack", "block", "broadcast_to", "broadcast_arrays"]:
    _register(getattr(np, _name), getattr(core, _name))
for _name in ["zeros_like", "ones_like", "full_like", "empty_like"]:
    _register(getattr(np, _name), getattr(creation, _name))
_register(np.reshape, lambda a, shape=None, order="C", newshape=None: core.asarray(a).reshape(
    shape if shape is not None else newshape))
_register(np.take, lambda a, indices, axis=None: __import__("tessera.array.slicing", fromlist=["take"]).take(
    core.asarray(a) if axis is not None else core.asarray(a).ravel(), indices, 0 if axis is None else axis))
_register(np.vstack, lambda tup: core.concatenate(routines.atleast_2d(*tup) if len(tup) > 1 else
                                                  [routines.atleast_2d(*tup)], axis=0))
_register(np.hstack, lambda tup: core.concatenate(tup, axis=0 if core.asarray(tup[0]).ndim == 1 else 1))
_register(np.dstack, lambda tup: core.concatenate([routines.atleast_3d(t) for t in tup], axis=2))
for _name in ["dot", "matmul", "tensordot", "einsum", "vdot", "inner"]:
    _register(getattr(np, _name), getattr(linalg, _name))
for _name in ["qr", "svd", "norm", "solve", "lstsq", "inv", "cholesky", "det"]:
    if hasattr(linalg, _name):
        _register(getattr(np.linalg, _name), getattr(linalg, _name))
del _name
# numpy.pad stays with NumPy (computing its argument): xarray treats tessera arrays as Dask
# collections and hands a lazily padded array to dask.array's sliding_window_view, which takes
# only dask arrays; tessera.array.pad is the lazy version.
