"""Reductions as trees: every block is reduced on its own (``<name>-chunk``... keeping the
reduced axes at length one), groups of ``split_every`` partial results are combined level by
level, and the last level aggregates. Partial results may carry several fields (count, total and
sum of squared deviations for var/std), merged with the parallel-variance formula."""

from __future__ import annotations

import builtins
import itertools
import numbers
import warnings

import numpy as np

from .core import Array, asarray, elemwise, new_array, tokenize

__all__ = ["sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "any", "all", "nansum",
           "nanprod", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax", "nanargmin", "nanargmax", "cumsum",
           "cumprod", "nancumsum", "nancumprod", "topk", "argtopk", "histogram", "percentile", "moment",
           "reduction", "count_nonzero", "median", "nanmedian", "average", "ptp"]


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    out = []
    for a in axis:
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(out))


def _split_every(split_every, axes, numblocks):
    if isinstance(split_every, dict):
        return {a: builtins.max(2, split_every.get(a, 2)) for a in axes}
    n = split_every or 16
    per = builtins.max(2, int(round(n ** (1 / builtins.max(len(axes), 1)))))
    return {a: per for a in axes}


def _concat_partials(parts, axes_grid):
    """Joins a nested list of partial results along the reduced axes (fields joined one by one)."""
    def join(level, nested, axes):
        if type(nested) is not list:
            return nested
        inner = [join(level + 1, n, axes) for n in nested]
        if len(inner) == 1:
            return inner[0]
        axis = axes[level]
        if isinstance(inner[0], dict):
            return {k: np.concatenate([p[k] for p in inner], axis=axis) for k in inner[0]}
        return np.concatenate(inner, axis=axis)
    return join(0, parts, axes_grid)


class _Step:
    """A tree-reduction task: joins its partial results and applies one function."""

    def __init__(self, func, axes, keepdims, kwargs, grid_axes):
        self.func, self.axes, self.keepdims, self.kwargs, self.grid_axes = func, axes, keepdims, kwargs, grid_axes
        self.__name__ = getattr(func, "__name__", "reduce")

    def __call__(self, nested):
        joined = _concat_partials(nested, self.grid_axes)
        return self.func(joined, axis=self.axes, keepdims=self.keepdims, **self.kwargs)


def reduction(x, chunk, aggregate, axis=None, keepdims=False, dtype=None, split_every=None, combine=None,
              name=None, concatenate=True, output_size=1, meta=None, chunk_kwargs=None, combine_kwargs=None,
              aggregate_kwargs=None, **kwargs):
    """Dask's general tree reduction: chunk(block, axis, keepdims=True) per block, then
    combine over groups of partial results, then aggregate."""
    x = asarray(x)
    axes = _normalize_axis(axis, x.ndim)
    combine = combine or aggregate
    prefix = name or getattr(chunk, "__name__", "reduction")
    token = tokenize(x, prefix, chunk, aggregate, combine, axes, keepdims, dtype, split_every, kwargs, chunk_kwargs,
                     combine_kwargs, aggregate_kwargs)
    # level 0: one partial per block
    chunk_name = f"{prefix}_chunk-{token}"
    layers = dict(x._layers)
    layer = {}
    ckw = dict(chunk_kwargs or {}, **kwargs)
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        layer[(chunk_name, *idx)] = (_Chunk(chunk, axes, ckw), (x.name, *idx))
    if not x.numblocks:
        layer = {(chunk_name,): (_Chunk(chunk, axes, ckw), (x.name,))}
    layers[chunk_name] = layer
    grid = list(x.numblocks)
    current = chunk_name
    per = _split_every(split_every, axes, x.numblocks)
    level = 0
    cmb_kw = dict(combine_kwargs or {}, **kwargs)
    while builtins.any(grid[a] > per[a] for a in axes):
        level += 1
        nxt = f"{prefix}-partial-{token}{level:x}"
        new_grid = [(-(-g // per[a]) if a in axes else g) for a, g in enumerate(grid)]
        layer = {}
        step = _Step(combine, axes, True, cmb_kw, axes)
        for idx in itertools.product(*(range(n) for n in new_grid)):
            ranges = [range(i * per[a], builtins.min((i + 1) * per[a], grid[a])) if a in axes else None
                      for a, i in enumerate(idx)]
            layer[(nxt, *idx)] = (step, _nest(current, idx, ranges, axes))
        layers[nxt] = layer
        grid, current = new_grid, nxt
    out_name = f"{prefix}-aggregate-{token}"
    step = _Step(aggregate, axes, keepdims, dict(aggregate_kwargs or {}, **kwargs), axes)
    out_grid = [g for a, g in enumerate(grid) if a not in axes or keepdims]
    layer = {}
    for idx in itertools.product(*(range(g) if a not in axes else [0] for a, g in enumerate(grid))):
        ranges = [range(grid[a]) if a in axes else None for a in range(len(grid))]
        out_idx = tuple(i for a, i in enumerate(idx) if a not in axes or keepdims)
        layer[(out_name, *out_idx)] = (step, _nest(current, idx, ranges, axes))
    if not out_grid:
        layer = {(out_name,): next(iter(layer.values()))}
    layers[out_name] = layer
    chunks = tuple((1,) * 1 if a in axes else c for a, c in enumerate(x.chunks) if a not in axes or keepdims)
    if dtype is None:
        dtype = x.dtype
    return Array(layers, out_name, chunks, dtype)


def _nest(name, idx, ranges, axes):
    """The nested list of keys of partial results an output block reads (reduced axes nest)."""
    def build(k, cur):
        if k == len(axes):
            return (name, *cur)
        a = axes[k]
        return [build(k + 1, cur[:a] + (j,) + cur[a + 1:]) for j in ranges[a]]
    return build(0, tuple(idx))


class _Chunk:
    def __init__(self, func, axes, kwargs):
        self.func, self.axes, self.kwargs = func, axes, kwargs
        self.__name__ = getattr(func, "__name__", "chunk")

    def __call__(self, block):
        return self.func(block, axis=self.axes, keepdims=True, **self.kwargs)


# --------------------------------------------------------------------------------------------
# simple reductions: the same function at every level

def _simple(np_func, name, default_dtype=None):
    def reduce(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None, **kwargs):
        a = asarray(a)
        if dtype is None:
            with np.errstate(all="ignore"):
                dtype = getattr(np_func(np.ones((1,) * builtins.max(a.ndim, 1), dtype=a.dtype)), "dtype", a.dtype) \
                    if default_dtype is None else default_dtype
        func = _with_dtype(np_func, dtype if np_func in (np.sum, np.prod, np.nansum, np.nanprod) else None)
        if np_func in (np.min, np.max, np.nanmin, np.nanmax):
            for ax in _normalize_axis(axis, a.ndim):
                if a.shape[ax] == 0:
                    raise ValueError(f"zero-size array to reduction operation {np_func.__name__} which has no identity")
        return reduction(a, func, func, axis=axis, keepdims=keepdims, dtype=dtype, split_every=split_every,
                         name=name, **kwargs)
    reduce.__name__ = name
    return reduce


class _with_dtype:
    def __init__(self, func, dtype):
        self.func, self.dtype = func, dtype
        self.__name__ = func.__name__
        # a block may be all NaN where the whole slice is not: its warning would be spurious
        self.quiet = func in (np.nanmin, np.nanmax, np.nansum, np.nanprod)

    def __call__(self, x, axis=None, keepdims=False, **kwargs):
        if self.dtype is not None:
            kwargs["dtype"] = self.dtype
        if not self.quiet:
            return self.func(x, axis=axis, keepdims=keepdims, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return self.func(x, axis=axis, keepdims=keepdims, **kwargs)


sum = _simple(np.sum, "sum")
prod = _simple(np.prod, "prod")
min = _simple(np.min, "min")
max = _simple(np.max, "max")
any = _simple(np.any, "any", np.dtype(bool))
all = _simple(np.all, "all", np.dtype(bool))
nansum = _simple(np.nansum, "nansum")
nanprod = _simple(np.nanprod, "nanprod")
nanmin = _simple(np.nanmin, "nanmin")
nanmax = _simple(np.nanmax, "nanmax")


def count_nonzero(a, axis=None, keepdims=False, split_every=None):
    return sum(asarray(a) != 0, axis=axis, keepdims=keepdims, dtype=np.intp, split_every=split_every)


def ptp(a, axis=None, keepdims=False):
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------------------------
# moments: partials {n, total, m2} merged with the parallel formula

def _moment_chunk(x, axis, keepdims, skipna, dtype, order=2):
    if skipna:
        valid = ~np.isnan(x)
        n = np.sum(valid, axis=axis, keepdims=True, dtype=np.float64)
        total = np.nansum(x, axis=axis, keepdims=True, dtype=dtype)
    else:
        n = np.sum(np.ones_like(x, dtype=np.float64), axis=axis, keepdims=True) if x.size else \
            np.zeros([1 if a in axis else s for a, s in enumerate(x.shape)])
        total = np.sum(x, axis=axis, keepdims=True, dtype=dtype)
    out = {"n": n, "total": total}
    if order >= 2:
        with np.errstate(all="ignore"):
            mu = total / np.where(n == 0, 1, n)
            dev = x - mu
            sq = dev * np.conj(dev) if np.iscomplexobj(dev) else dev * dev
            out["m2"] = (np.nansum if skipna else np.sum)(sq, axis=axis, keepdims=True).real
    return out


def _moment_combine(p, axis, keepdims, skipna, dtype, order=2):
    """Merges joined partials along `axis` (Chan et al.'s pairwise update, vectorized)."""
    n = np.sum(p["n"], axis=axis, keepdims=keepdims)
    total = np.sum(p["total"], axis=axis, keepdims=keepdims)
    out = {"n": n, "total": total}
    if "m2" in p:
        with np.errstate(all="ignore"):
            mu_parts = p["total"] / np.where(p["n"] == 0, 1, p["n"])
            mu = np.sum(p["total"], axis=axis, keepdims=True) / np.where(
                np.sum(p["n"], axis=axis, keepdims=True) == 0, 1, np.sum(p["n"], axis=axis, keepdims=True))
            d = mu_parts - mu
            sq = (d * np.conj(d)).real if np.iscomplexobj(d) else d * d
            out["m2"] = np.sum(p["m2"] + p["n"] * sq, axis=axis, keepdims=keepdims)
    return out


def _mean_agg(p, axis, keepdims, skipna, dtype, order=1):
    c = _moment_combine(p, axis, keepdims, skipna, dtype, order)
    with np.errstate(all="ignore"):
        return (c["total"] / c["n"]).astype(dtype, copy=False)


def _var_agg(p, axis, keepdims, skipna, dtype, order=2, ddof=0, sqrt=False):
    c = _moment_combine(p, axis, keepdims, skipna, dtype, order)
    with np.errstate(all="ignore"):
        out = c["m2"] / (c["n"] - ddof)
        out = np.where(c["n"] - ddof <= 0, np.nan, out)
        if sqrt:
            out = np.sqrt(out)
    return np.asarray(out).astype(dtype, copy=False)


def _result_dtype(a, dtype, kind):
    if dtype is not None:
        return np.dtype(dtype)
    if a.dtype.kind in "biu":
        return np.dtype(np.float64)
    if kind == "var" and a.dtype.kind == "c":
        return np.dtype(np.float64 if a.dtype.itemsize == 16 else np.float32)
    return a.dtype


def _mean(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None, skipna=False, name="mean"):
    a = asarray(a)
    dt = _result_dtype(a, dtype, "mean")
    acc = np.float64 if a.dtype.kind in "biuf" and dt.kind == "f" else dt
    kw = {"skipna": skipna, "dtype": acc, "order": 1}
    return reduction(a, _moment_chunk, _mean_agg, axis=axis, keepdims=keepdims, dtype=dt, split_every=split_every,
                     combine=_moment_combine, name=name, chunk_kwargs=kw, combine_kwargs=kw,
                     aggregate_kwargs=dict(kw, dtype=dt))


def mean(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
    return _mean(a, axis, dtype, keepdims, split_every, skipna=False, name="mean")


def nanmean(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
    return _mean(a, axis, dtype, keepdims, split_every, skipna=True, name="nanmean")


def _var(a, axis, dtype, keepdims, ddof, split_every, skipna, sqrt, name):
    a = asarray(a)
    dt = _result_dtype(a, dtype, "var")
    acc = np.float64 if a.dtype.kind in "biuf" else a.dtype
    kw = {"skipna": skipna, "dtype": acc, "order": 2}
    return reduction(a, _moment_chunk, _var_agg, axis=axis, keepdims=keepdims, dtype=dt, split_every=split_every,
                     combine=_moment_combine, name=name, chunk_kwargs=kw, combine_kwargs=kw,
                     aggregate_kwargs=dict(kw, dtype=dt, ddof=ddof, sqrt=sqrt))


def var(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return _var(a, axis, dtype, keepdims, ddof, split_every, False, False, "var")


def std(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return _var(a, axis, dtype, keepdims, ddof, split_every, False, True, "std")


def nanvar(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return _var(a, axis, dtype, keepdims, ddof, split_every, True, False, "nanvar")


def nanstd(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return _var(a, axis, dtype, keepdims, ddof, split_every, True, True, "nanstd")


def moment(a, order, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    if order == 0:
        return sum(asarray(a) ** 0, axis=axis, keepdims=keepdims) / 1.0
    if order == 1:
        return asarray(a).sum(axis=axis, keepdims=keepdims) * 0.0
    if order == 2:
        return var(a, axis=axis, keepdims=keepdims, ddof=ddof)
    a = asarray(a)
    m = mean(a, axis=axis, keepdims=True)
    n = sum(asarray(a) ** 0, axis=axis, keepdims=keepdims)
    return sum((a - m) ** order, axis=axis, keepdims=keepdims) / (n - ddof)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    a = asarray(a)
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = sum(a ** 0, axis=axis, keepdims=keepdims).astype(avg.dtype)
    else:
        w = asarray(weights)
        if w.shape != a.shape:
            if axis is None or w.ndim != 1:
                raise ValueError("weights must have the shape of a, or be 1-D along the given axis")
            w = w[(slice(None),) + (None,) * (a.ndim - 1 - axis % a.ndim)]
        scl = sum(w * (a ** 0), axis=axis, keepdims=keepdims)
        avg = sum(a * w, axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


# --------------------------------------------------------------------------------------------
# arg reductions: partials {vals, args} with global positions

def _arg_positions(func, nan, values, axis):
    """func's positions along axis (keepdims); the nan-variants skip NaN (an all-NaN slice gives
    position 0, whose value NaN marks it)."""
    if nan and values.dtype.kind in "fc":
        fill = np.inf if func is np.nanargmin else -np.inf
        values = np.where(np.isnan(values), fill, values)
        func = np.argmin if func is np.nanargmin else np.argmax
    return func(values, axis=axis, keepdims=True)


class _ArgChunk:
    def __init__(self, func, axis, offset, nan):
        self.func, self.axis, self.offset, self.nan = func, axis, offset, nan
        self.__name__ = func.__name__

    def __call__(self, block):
        local = _arg_positions(self.func, self.nan, block, self.axis)
        vals = np.take_along_axis(block, local, axis=self.axis)
        return {"vals": vals, "args": local + self.offset}


def _arg_combine(p, axis, keepdims, func, nan):
    (axis,) = axis
    vals, args = p["vals"], p["args"]
    pick = _arg_positions(func, nan, vals, axis)
    return {"vals": np.take_along_axis(vals, pick, axis=axis), "args": np.take_along_axis(args, pick, axis=axis)}


def _arg_agg(p, axis, keepdims, func, nan):
    out = _arg_combine(p, axis, True, func, nan)
    if nan and out["vals"].dtype.kind in "fc" and np.isnan(out["vals"]).any():
        raise ValueError("All-NaN slice encountered")
    args = out["args"]
    return args if keepdims else np.squeeze(args, axis=axis)


def _arg(a, axis, keepdims, split_every, func, nan, name):
    a = asarray(a)
    if axis is None:
        flat = a.ravel()
        return _arg(flat, 0, keepdims, split_every, func, nan, name).reshape((1,) * a.ndim) if keepdims else \
            _arg(flat, 0, False, split_every, func, nan, name)
    if not isinstance(axis, numbers.Integral):
        raise ValueError(f"{name} takes one axis (an int) or None")
    if not -a.ndim <= axis < a.ndim:
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {a.ndim}")
    axis %= a.ndim
    if a.shape[axis] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    token = tokenize(a, name, axis, keepdims, split_every)
    chunk_name = f"{name}-chunk-{token}"
    starts = np.cumsum((0,) + a.chunks[axis])
    layer = {}
    for idx in itertools.product(*(range(n) for n in a.numblocks)):
        layer[(chunk_name, *idx)] = (_ArgChunk(func, axis, int(starts[idx[axis]]), nan), (a.name, *idx))
    base = new_array(layer, chunk_name, tuple((1,) * n if i == axis else c for i, (n, c) in
                                              enumerate(zip(a.numblocks, a.chunks))), a.dtype, a)
    # the tree over the partials (identity chunk step)
    kw = {"func": func, "nan": nan}
    return reduction(base, _identity_chunk, _arg_agg, axis=axis, keepdims=keepdims, dtype=np.dtype(np.intp),
                     split_every=split_every, combine=_arg_combine, name=name, combine_kwargs=kw,
                     aggregate_kwargs=kw)


def _identity_chunk(x, axis, keepdims):
    return x


def argmin(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg(a, axis, keepdims, split_every, np.argmin, False, "argmin")


def argmax(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg(a, axis, keepdims, split_every, np.argmax, False, "argmax")


def nanargmin(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg(a, axis, keepdims, split_every, np.nanargmin, True, "nanargmin")


def nanargmax(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg(a, axis, keepdims, split_every, np.nanargmax, True, "nanargmax")


# --------------------------------------------------------------------------------------------
# cumulative reductions: per-block scans plus a carried running total

def _last(block, axis):
    return np.take(block, [-1], axis=axis) if block.shape[axis] else None


class _Carry:
    def __init__(self, op, identity, axis):
        self.op, self.identity, self.axis = op, identity, axis
        self.__name__ = "cumulative-carry"

    def __call__(self, previous, block):
        last = _last(block, self.axis)
        if last is None:
            return previous
        return last if previous is None else self.op(previous, last)


class _Apply:
    def __init__(self, op):
        self.op = op
        self.__name__ = "cumulative-apply"

    def __call__(self, block, carry):
        return block if carry is None else self.op(block, carry)


def _none():
    return None


def _cumulative(a, axis, dtype, func, op, name):
    a = asarray(a)
    if axis is None:
        a = a.ravel()
        axis = 0
    if not -a.ndim <= axis < a.ndim:
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {a.ndim}")
    axis %= a.ndim
    if dtype is None:
        dtype = func(np.ones((1,), dtype=a.dtype)).dtype
    scanned = elemwise(_Scan(func, axis, dtype), a, dtype=dtype, name=f"{name}-scan")
    token = tokenize(a, name, axis, dtype)
    carry, out = f"{name}-carry-{token}", f"{name}-{token}"
    layer_c, layer_o = {}, {}
    for idx in itertools.product(*(range(n) for n in a.numblocks)):
        i = idx[axis]
        prev = idx[:axis] + (i - 1,) + idx[axis + 1:]
        if i == 0:
            layer_c[(carry, *idx)] = (_none,)
            layer_o[(out, *idx)] = (scanned.name, *idx)
        else:
            layer_c[(carry, *idx)] = (_Carry(op, None, axis), (carry, *prev), (scanned.name, *prev))
            layer_o[(out, *idx)] = (_Apply(op), (scanned.name, *idx), (carry, *idx))
    result = new_array(layer_o, out, a.chunks, dtype, scanned)
    result._layers[carry] = layer_c
    return result


class _Scan:
    def __init__(self, func, axis, dtype):
        self.func, self.axis, self.dtype = func, axis, dtype
        self.__name__ = func.__name__

    def __call__(self, block):
        return self.func(block, axis=self.axis, dtype=self.dtype)


def cumsum(a, axis=None, dtype=None, out=None, method="sequential"):
    return _cumulative(a, axis, dtype, np.cumsum, np.add, "cumsum")


def cumprod(a, axis=None, dtype=None, out=None, method="sequential"):
    return _cumulative(a, axis, dtype, np.cumprod, np.multiply, "cumprod")


def nancumsum(a, axis=None, dtype=None, out=None, method="sequential"):
    return _cumulative(a, axis, dtype, np.nancumsum, np.add, "nancumsum")


def nancumprod(a, axis=None, dtype=None, out=None, method="sequential"):
    return _cumulative(a, axis, dtype, np.nancumprod, np.multiply, "nancumprod")


# --------------------------------------------------------------------------------------------
# topk

class _TopK:
    def __init__(self, k, final, arg):
        self.k, self.final, self.arg = k, final, arg
        self.__name__ = "argtopk" if arg else "topk"

    def __call__(self, x, axis, keepdims):
        (axis,) = axis
        k = self.k
        if self.arg:
            vals, idx = x["vals"], x["args"]
        else:
            vals = x
        n = vals.shape[axis]
        kk = builtins.min(abs(k), n)
        if k > 0:
            part = np.argpartition(vals, n - kk, axis=axis).take(range(n - kk, n), axis=axis) if kk < n else \
                np.broadcast_to(np.arange(n).reshape([n if a == axis else 1 for a in range(vals.ndim)]),
                                vals.shape).copy()
        else:
            part = np.argpartition(vals, kk - 1 if kk else 0, axis=axis).take(range(kk), axis=axis) if kk < n else \
                np.broadcast_to(np.arange(n).reshape([n if a == axis else 1 for a in range(vals.ndim)]),
                                vals.shape).copy()
        top = np.take_along_axis(vals, part, axis=axis)
        if self.arg:
            idx = np.take_along_axis(idx, part, axis=axis)
        if self.final:
            order = np.argsort(top, axis=axis, kind="stable")
            if k > 0:
                order = np.flip(order, axis=axis)
            top = np.take_along_axis(top, order, axis=axis)
            if self.arg:
                return np.take_along_axis(idx, order, axis=axis)
            return top
        return {"vals": top, "args": idx} if self.arg else top


class _ArgTopKChunk:
    def __init__(self, k, axis, offset):
        self.k, self.axis, self.offset = k, axis, offset
        self.__name__ = "argtopk"

    def __call__(self, block):
        idx = np.broadcast_to(np.arange(block.shape[self.axis]).reshape(
            [-1 if a == self.axis else 1 for a in range(block.ndim)]), block.shape) + self.offset
        return _TopK(self.k, False, True)({"vals": block, "args": idx}, (self.axis,), True)


def topk(a, k, axis=-1, split_every=None):
    """The k largest elements along `axis`, in decreasing order (the -k smallest, increasing, for
    negative k), as dask.array.topk."""
    a = asarray(a)
    axis = _normalize_axis(axis, a.ndim)[0]
    kk = builtins.min(abs(k), a.shape[axis])
    out = reduction(a, _TopK(k, False, False), _TopK(k, True, False), axis=axis, keepdims=True, dtype=a.dtype,
                    split_every=split_every, combine=_TopK(k, False, False), name="topk")
    chunks = list(out.chunks)
    chunks[axis] = (kk,)
    out._chunks = tuple(chunks)
    return out


def argtopk(a, k, axis=-1, split_every=None):
    a = asarray(a)
    axis = _normalize_axis(axis, a.ndim)[0]
    kk = builtins.min(abs(k), a.shape[axis])
    token = tokenize(a, k, axis)
    name = f"argtopk-chunk-{token}"
    starts = np.cumsum((0,) + a.chunks[axis])
    layer = {(name, *idx): (_ArgTopKChunk(k, axis, int(starts[idx[axis]])), (a.name, *idx))
             for idx in itertools.product(*(range(n) for n in a.numblocks))}
    base = new_array(layer, name, a.chunks, a.dtype, a)
    out = reduction(base, _identity_chunk, _TopK(k, True, True), axis=axis, keepdims=True, dtype=np.dtype(np.intp),
                    split_every=split_every, combine=_TopK(k, False, True), name="argtopk")
    chunks = list(out.chunks)
    chunks[axis] = (kk,)
    out._chunks = tuple(chunks)
    return out


# --------------------------------------------------------------------------------------------
# histogram and percentiles

class _Hist:
    def __init__(self, bins, range_, weighted):
        self.bins, self.range, self.weighted = bins, range_, weighted
        self.__name__ = "histogram"

    def __call__(self, block, weights=None):
        h, _ = np.histogram(block, bins=self.bins, range=self.range, weights=weights)
        return h[np.newaxis]


def histogram(a, bins=None, range=None, normed=False, weights=None, density=None):
    """Counts per bin (a lazy 1-D array) and the bin edges (NumPy), as dask.array.histogram:
    `bins` must be edges or a count with `range`."""
    a = asarray(a)
    if bins is None or (isinstance(bins, numbers.Integral) and range is None):
        raise ValueError("histogram needs bins as an array of edges, or a number of bins together with range=")
    if isinstance(bins, Array):
        bins = bins.compute()
    edges = np.histogram_bin_edges(np.empty(0), bins=bins, range=range) if isinstance(bins, numbers.Integral) \
        else np.asarray(bins)
    flat = a.ravel()
    token = tokenize(a, edges, weights)
    name = f"histogram-chunk-{token}"
    hist = _Hist(edges, None, weights is not None)
    layer = {}
    if weights is not None:
        w = asarray(weights)
        if w.shape != a.shape:
            raise ValueError(f"weights of shape {w.shape} must match the array's shape {a.shape}")
        from .core import unify_chunks
        _, (flat, wflat) = unify_chunks(flat, (0,), w.ravel(), (0,))
        for i in builtins.range(flat.numblocks[0]):
            layer[(name, i, 0)] = (hist, (flat.name, i), (wflat.name, i))
        deps = (flat, wflat)
    else:
        for i in builtins.range(flat.numblocks[0]):
            layer[(name, i, 0)] = (hist, (flat.name, i))
        deps = (flat,)
    counts_dtype = np.result_type(w.dtype, np.int64) if weights is not None else np.dtype(np.intp)
    per_block = new_array(layer, name, ((1,) * flat.numblocks[0], (len(edges) - 1,)), counts_dtype, *deps)
    counts = per_block.sum(axis=0)
    if density:
        widths = np.diff(edges)
        counts = counts / (counts.sum() * widths)
    return counts, edges


def _percentile_chunk(block, q, method):
    block = np.asarray(block).ravel()
    if block.size == 0:
        return None
    grid = np.unique(np.concatenate([np.linspace(0, 100, 101), q]))
    return (np.percentile(block, grid, method=method), grid, block.size)


def _percentile_merge(q, method, *parts):
    """Merges per-block quantile summaries: each block's quantile curve stands for its elements
    with weight proportional to its size; the merged curve is inverted at q. Exact for one block."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return np.full(len(q), np.nan)
    if len(parts) == 1:
        values, grid, _ = parts[0]
        return np.interp(q, grid, values)
    vals, weights = [], []
    for values, grid, n in parts:
        # each summary point stands for the mass halfway to its neighbours
        edges = np.concatenate([[grid[0]], (grid[1:] + grid[:-1]) / 2, [grid[-1]]])
        vals.append(values)
        weights.append(np.diff(edges) / 100.0 * n)
    vals, weights = np.concatenate(vals), np.concatenate(weights)
    order = np.argsort(vals, kind="stable")
    vals, weights = vals[order], weights[order]
    cdf = np.cumsum(weights) - weights / 2
    cdf = 100.0 * (cdf - cdf[0]) / (cdf[-1] - cdf[0]) if cdf[-1] > cdf[0] else np.zeros_like(cdf)
    return np.interp(q, cdf, vals)


def percentile(a, q, method="linear", internal_method="default", **kwargs):
    """Approximate percentiles of a 1-D array (as dask.array.percentile): each block summarizes
    itself by 101 percentiles plus the requested ones, and the summaries are merged weighted by
    block size. Exact when the array is one block; otherwise accurate to about a percentile step
    of each block's distribution."""
    a = asarray(a)
    if a.ndim != 1:
        raise NotImplementedError("percentile works on 1-D arrays (as Dask); ravel() first")
    scalar = np.ndim(q) == 0
    q = np.atleast_1d(np.asarray(q, dtype=float))
    if np.any((q < 0) | (q > 100)):
        raise ValueError("percentiles must be in the range [0, 100]")
    token = tokenize(a, q, method)
    name, out = f"percentile_chunk-{token}", f"percentile-{token}"
    layer = {(name, i): (_percentile_chunk, (a.name, i), q, method) for i in builtins.range(a.numblocks[0])}
    result = new_array({(out, 0): (_percentile_merge, q, method, *layer.keys())}, out, ((len(q),),),
                       np.dtype(np.float64) if a.dtype.kind in "biu" else a.dtype, a)
    result._layers[name] = layer
    return result[0] if scalar else result


def median(a, axis=None, keepdims=False, out=None):
    """Exact median along axes (those axes are rechunked to one chunk, as Dask)."""
    a = asarray(a)
    axes = _normalize_axis(axis, a.ndim)
    if axis is None:
        return median(a.ravel(), axis=0, keepdims=False) if not keepdims else \
            median(a.ravel(), axis=0).reshape((1,) * a.ndim)
    a = a.rechunk({ax: -1 for ax in axes})
    from .core import map_blocks
    return map_blocks(np.median, a, axis=axes, keepdims=keepdims, drop_axis=None if keepdims else list(axes),
                      chunks=tuple((1,) if ax in axes else c for ax, c in enumerate(a.chunks)) if keepdims else None,
                      dtype=np.float64 if a.dtype.kind in "biu" else a.dtype, name="median")


def nanmedian(a, axis=None, keepdims=False, out=None):
    a = asarray(a)
    axes = _normalize_axis(axis, a.ndim)
    if axis is None:
        return nanmedian(a.ravel(), axis=0)
    a = a.rechunk({ax: -1 for ax in axes})
    from .core import map_blocks
    return map_blocks(np.nanmedian, a, axis=axes, keepdims=keepdims, drop_axis=None if keepdims else list(axes),
                      chunks=tuple((1,) if ax in axes else c for ax, c in enumerate(a.chunks)) if keepdims else None,
                      dtype=np.float64 if a.dtype.kind in "biu" else a.dtype, name="nanmedian")
