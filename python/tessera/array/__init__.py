"""tessera.array: chunked n-dimensional arrays with dask.array's interface, computed on
tessera's scheduler.

    import tessera.array as da
    x = da.random.random((10000, 10000), chunks=(1000, 1000))
    y = (x + x.T)[::2, 5000:].mean(axis=1).compute()     # a NumPy array
"""

from __future__ import annotations

import numpy as _np

from . import linalg, random
from .chunks import normalize_chunks
from .core import (Array, apply_gufunc, array, asanyarray, asarray, blockwise, block, broadcast_arrays,
                   broadcast_to, concatenate, elemwise, from_array, from_delayed, map_blocks, stack, to_numpy,
                   unify_chunks)
from .creation import (arange, diag, empty, empty_like, eye, fromfunction, full, full_like, identity, indices,
                       linspace, meshgrid, ones, ones_like, tri, zeros, zeros_like)
from .io import from_zarr, store, to_zarr
from .linalg import dot, einsum, inner, matmul, tensordot, vdot
from .overlap import map_overlap, overlap, trim_internal
from .rechunk import rechunk
from .reductions import (all, any, argmax, argmin, argtopk, average, count_nonzero, cumprod, cumsum, histogram,
                         max, mean, median, min, moment, nanargmax, nanargmin, nancumprod, nancumsum, nanmax,
                         nanmean, nanmedian, nanmin, nanprod, nanstd, nansum, nanvar, percentile, prod, ptp,
                         reduction, std, sum, topk, var)
from .reshape import reshape
from .routines import (allclose, argwhere, around, array_equal, atleast_1d, atleast_2d, atleast_3d, clip, diff,
                       expand_dims, flip, fliplr, flipud, isclose, isnull, moveaxis, nonzero, notnull, outer, pad,
                       ravel, repeat, result_type, roll, rollaxis, rot90, round, squeeze, swapaxes, tile, transpose,
                       unique, where)
from .slicing import take
from ..base import compute, persist

# NumPy's ufuncs applied lazily (np.sin(x) works too, through __array_ufunc__)
_UFUNCS = ["abs", "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
           "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "cbrt", "ceil", "conj", "copysign", "cos",
           "cosh", "deg2rad", "degrees", "divide", "equal", "exp", "exp2", "expm1", "fabs", "float_power", "floor",
           "floor_divide", "fmax", "fmin", "fmod", "greater", "greater_equal", "hypot", "invert", "isfinite",
           "isinf", "isnan", "ldexp", "less", "less_equal", "log", "log10", "log1p", "log2", "logaddexp",
           "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod",
           "multiply", "negative", "nextafter", "not_equal", "positive", "power", "rad2deg", "radians",
           "reciprocal", "remainder", "rint", "sign", "signbit", "sin", "sinh", "spacing", "sqrt", "square",
           "subtract", "tan", "tanh", "true_divide", "trunc", "frexp", "modf", "divmod", "isreal", "iscomplex",
           "real", "imag", "angle", "fix", "nan_to_num", "i0", "sinc"]


def _lazy(func):
    def wrapper(*args, **kwargs):
        return elemwise(func, *args, name=func.__name__, **kwargs) if not isinstance(func, _np.ufunc) or \
            func.nout == 1 else func(*[asarray(a) if not isinstance(a, (int, float, complex)) else a
                                       for a in args], **kwargs)
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = f"numpy.{func.__name__} on chunked arrays, block by block."
    return wrapper


for _name in _UFUNCS:
    globals()[_name] = _lazy(getattr(_np, _name))
del _name

from . import _dispatch  # noqa: E402,F401  (registers the __array_function__ handlers)

newaxis = None
pi, e, inf, nan = _np.pi, _np.e, _np.inf, _np.nan
