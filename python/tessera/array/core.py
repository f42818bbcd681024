"""The chunked array: a grid of NumPy blocks, each the result of one task, with shape, dtype and
chunks known before anything runs. Operations build Dask-style graph layers
(``{(name, i, j): (func, *args)}``); ``compute`` submits the blocks a result needs to tessera's
scheduler in one call and joins them into a NumPy array."""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import math
import numbers
import operator
import pickle
import types
import uuid
import warnings

import numpy as np

from .. import _core, _scheduler
from ..base import Collection
from . import _graph
from .chunks import normalize_chunks

__all__ = ["Array", "from_array", "asarray", "asanyarray", "array", "blockwise", "elemwise", "map_blocks",
           "concatenate", "stack", "block", "from_delayed", "tokenize", "unify_chunks", "broadcast_to",
           "broadcast_arrays", "apply_gufunc", "to_numpy"]


def tokenize(*args, **kwargs) -> str:
    """A deterministic 16-hex-digit token of the arguments (arrays by their names, NumPy arrays
    by their bytes when small)."""
    h = hashlib.blake2b(digest_size=8)
    for value in (args, sorted(kwargs.items())):
        _feed(h, value)
    return h.hexdigest()


def _feed(h, value):
    if isinstance(value, Array):
        h.update(b"A" + value.name.encode())
    elif isinstance(value, np.ndarray):
        h.update(b"N" + str((value.shape, value.dtype.str)).encode())
        if value.nbytes <= 2**20:
            h.update(np.ascontiguousarray(value).view(np.uint8).tobytes() if value.dtype != object else
                     pickle.dumps(value))
        else:
            h.update(uuid.uuid4().bytes)
    elif isinstance(value, (list, tuple)):
        h.update(b"(")
        for v in value:
            _feed(h, v)
        h.update(b")")
    elif isinstance(value, dict):
        _feed(h, sorted(value.items(), key=lambda kv: repr(kv[0])))
    elif isinstance(value, (str, bytes, int, float, complex, bool, type(None), slice, np.generic, np.dtype)):
        h.update(repr((type(value).__name__, value)).encode())
    elif isinstance(value, functools.partial):
        _feed(h, (value.func, value.args, value.keywords))
    elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
        # a module-level function by its name; a lambda or nested function (whose closure may
        # differ between objects of one name) by its identity
        qualname = getattr(value, "__qualname__", getattr(value, "__name__", ""))
        local = "<" in qualname
        h.update(repr(("F", getattr(value, "__module__", None), qualname, id(value) if local else None)).encode())
    elif callable(value) and hasattr(value, "__dict__") and not isinstance(value, type):
        # a callable object: its class and its state (two _Scan objects along other axes differ)
        h.update(repr(("C", type(value).__module__, type(value).__qualname__)).encode())
        _feed(h, sorted(vars(value).items(), key=lambda kv: kv[0]))
    elif callable(value):
        h.update(repr(("O", type(value).__qualname__, getattr(value, "__qualname__", None), id(value))).encode())
    else:
        try:
            h.update(pickle.dumps(value, protocol=5))
        except Exception:
            h.update(uuid.uuid4().bytes)


def _isnan(x):
    return isinstance(x, float) and math.isnan(x)


def _dtype_of(x):
    if isinstance(x, (Array, np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def _meta_like(x, ndim=None):
    """A zero-size NumPy array standing for `x` when inferring result dtypes."""
    if isinstance(x, Array):
        return np.empty((0,) * x.ndim, dtype=x.dtype)
    if isinstance(x, np.ndarray):
        return np.empty((0,) * x.ndim, dtype=x.dtype)
    return x


def _block_slices(chunks):
    """Per axis, the (start, stop) of every block."""
    out = []
    for c in chunks:
        starts = [0]
        for n in c:
            starts.append(starts[-1] + n)
        out.append([(starts[i], starts[i + 1]) for i in range(len(c))])
    return out


def _concat_nested(blocks, axis=0):
    """Joins nested lists of blocks (depth = number of axes) into one array."""
    if type(blocks) is not list:
        return blocks
    if len(blocks) == 1:
        return _concat_nested(blocks[0], axis + 1)
    return np.concatenate([_concat_nested(b, axis + 1) for b in blocks], axis=axis)


def concatenate_axes(blocks, axes):
    """Joins a nested list of blocks along `axes` (outermost list first)."""
    if not axes:
        return blocks
    if type(blocks) is not list:
        return blocks
    inner = [concatenate_axes(b, axes[1:]) for b in blocks]
    return inner[0] if len(inner) == 1 else np.concatenate(inner, axis=axes[0])


def _getter(source, index):
    out = source[index]
    return np.asarray(out) if not isinstance(out, np.ndarray) else out


class Array(Collection):
    """A chunked n-dimensional array with dask.array's interface."""

    __array_priority__ = 11
    __slots__ = ("_layers", "name", "_chunks", "dtype", "__weakref__")

    def __init__(self, layers, name, chunks, dtype=None, meta=None):
        self._layers = layers
        self.name = name
        self._chunks = tuple(tuple(c) for c in chunks)
        if dtype is None and meta is not None:
            dtype = meta.dtype
        self.dtype = np.dtype(dtype if dtype is not None else float)

    # -- metadata ------------------------------------------------------------------------------
    @property
    def chunks(self):
        return self._chunks

    @property
    def shape(self):
        return tuple(sum(c) if not any(_isnan(x) for x in c) else math.nan for c in self._chunks)

    @property
    def ndim(self):
        return len(self._chunks)

    @property
    def size(self):
        return math.prod(self.shape) if self._chunks else 1

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def numblocks(self):
        return tuple(len(c) for c in self._chunks)

    @property
    def npartitions(self):
        return math.prod(self.numblocks)

    @property
    def chunksize(self):
        return tuple(max(c) if c else 0 for c in self._chunks)

    @property
    def _meta(self):
        return np.empty((0,) * self.ndim, dtype=self.dtype)

    def __len__(self):
        if not self._chunks:
            raise TypeError("len() of unsized object")
        n = self.shape[0]
        if _isnan(n):
            raise ValueError("the length of this array is unknown (chunk sizes are NaN after boolean "
                             "indexing); call compute_chunk_sizes() first")
        return n

    def __repr__(self):
        return (f"tessera.array<{self.name.rsplit('-', 1)[0]}, shape={self.shape}, dtype={self.dtype}, "
                f"chunksize={self.chunksize}, chunktype=numpy.ndarray>")

    def __dask_keys__(self):
        return self._key_grid()

    def _key_grid(self):
        name, nb = self.name, self.numblocks
        if not nb:
            return [(name,)]

        def build(prefix, axis):
            if axis == len(nb):
                return (name, *prefix)
            return [build(prefix + (i,), axis + 1) for i in range(nb[axis])]
        return build((), 0)

    def _keys(self):
        """Block keys in C order (a flat list)."""
        if not self.numblocks:
            return [(self.name,)]
        return [(self.name, *idx) for idx in itertools.product(*(range(n) for n in self.numblocks))]

    # -- the Dask collection protocol -------------------------------------------------------
    def __dask_graph__(self):
        return _graph.flatten_graph(self._layers)

    def __dask_layers__(self):
        return (self.name,)

    def __dask_tokenize__(self):
        return self.name

    def __dask_postcompute__(self):
        return _finalize, ()

    def __dask_postpersist__(self):
        return self._rebuild, ()

    def _rebuild(self, dsk, rename=None):
        name = self.name if not rename else rename.get(self.name, self.name)
        return Array({name: {k: v for k, v in dsk.items() if _graph.key_name(k) == self.name}}
                     if not rename else {name: dict(dsk)}, name, self._chunks, self.dtype)

    @staticmethod
    def __dask_optimize__(dsk, keys, **kwargs):
        return dsk

    # dask's scheduler for `dask.compute` without a client: tessera's engine
    @staticmethod
    def __dask_scheduler__(dsk, keys, **kwargs):
        from collections.abc import Mapping

        from dask._task_spec import convert_legacy_graph
        if not isinstance(dsk, Mapping):
            dsk = dsk.__dask_graph__()
        spec = convert_legacy_graph(dict(dsk))
        graph = {}
        for key, node in spec.items():
            deps = list(node.dependencies)
            graph[key] = (_SpecCall(node, deps), *deps)
        flat = list(_flatten_keys(keys))
        nodes = _graph.build_nodes(graph, flat)
        values = iter(_core.compute_nodes(nodes, _scheduler.current()))
        return _restructure(keys, values)

    # -- tessera's collection protocol (tessera.compute / persist) ----------------------------
    def _graph_leaves(self):
        return _graph.build_nodes(self._graph_view(), self._keys())

    _compute_graph_leaves = staticmethod(_core.compute_nodes)

    def _from_leaf_values(self, values):
        if not self.numblocks:  # a NumPy scalar, as Dask returns for 0-d arrays
            return np.asarray(values[0])[()]
        it = iter(values)
        return _finalize(_restructure(self._key_grid(), it))

    @classmethod
    def _persist_all(cls, objects):
        nodes, spans = [], []
        for o in objects:
            leaves = o._graph_leaves()
            spans.append((len(nodes), len(leaves)))
            nodes.extend(leaves)
        futures = _core.submit_nodes(nodes, _scheduler.current())
        for f in futures:
            f.result()
        out = []
        for o, (start, n) in zip(objects, spans):
            layer = {k: _graph.Held(f) for k, f in zip(o._keys(), futures[start:start + n])}
            out.append(Array({o.name: layer}, o.name, o._chunks, o.dtype))
        return out

    def _visual_nodes(self):
        graph = self._graph_view()
        for key, task in graph.items():
            deps = _graph._dependencies(task, graph)
            yield str(key), _graph.key_name(key).rsplit("-", 1)[0], [str(d) for d in deps]

    def _graph_view(self):
        return _LayersView(self._layers)

    def compute(self, **kwargs):
        from ..base import compute
        return compute(self, **kwargs)[0]

    def persist(self, **kwargs):
        from ..base import persist
        return persist(self, **kwargs)[0]

    def visualize(self, filename="mydask", format="png", **kwargs):
        from ..base import visualize
        return visualize(self, filename=filename, format=format)

    def __array__(self, dtype=None, copy=None):
        x = np.asarray(self.compute())
        return x.astype(dtype) if dtype is not None else x

    def to_delayed(self, optimize_graph=True):
        """A NumPy-shaped object array of Delayed blocks."""
        from ..delayed import Delayed
        nodes = self._graph_leaves()
        out = np.empty(self.numblocks, dtype=object)
        for idx, node in zip(itertools.product(*(range(n) for n in self.numblocks)), nodes):
            out[idx] = Delayed(node)
        return out

    def compute_chunk_sizes(self):
        """Computes NaN chunk sizes (after boolean indexing) in place; returns self."""
        shapes = map_blocks(lambda b: np.array(b.shape, dtype=np.int64).reshape((1,) * b.ndim + (b.ndim,)),
                            self, dtype=np.int64, chunks=tuple((1,) * n for n in self.numblocks) + ((self.ndim,),),
                            new_axis=self.ndim, name="chunk_shapes")
        values = shapes.compute()
        chunks = []
        for axis in range(self.ndim):
            index = [0] * self.ndim + [axis]
            sizes = []
            for i in range(self.numblocks[axis]):
                index[axis] = i
                sizes.append(int(values[tuple(index)]))
            chunks.append(tuple(sizes))
        self._chunks = tuple(chunks)
        return self

    # -- conversions ---------------------------------------------------------------------------
    def _scalar(self, kind):
        if self.size != 1:
            raise TypeError(f"only arrays of one element can be converted to Python scalars ({kind}); "
                            f"this one has shape {self.shape}")
        return kind(self.compute().reshape(()))

    def __bool__(self):
        return self._scalar(bool)

    def __int__(self):
        return self._scalar(int)

    def __float__(self):
        return self._scalar(float)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        return self._scalar(operator.index)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def astype(self, dtype, casting="unsafe", copy=True, **kwargs):
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if not np.can_cast(self.dtype, dtype, casting=casting):
            raise TypeError(f"cannot cast array data from {self.dtype} to {dtype} according to the rule "
                            f"{casting!r}")
        return elemwise(_astype, self, dtype, casting, dtype=dtype, name="astype")

    @property
    def real(self):
        return elemwise(np.real, self, name="real")

    @property
    def imag(self):
        return elemwise(np.imag, self, name="imag")

    def conj(self):
        return elemwise(np.conj, self, name="conj")

    def copy(self):
        return self

    def view(self, dtype=None, order="C"):
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.itemsize != self.dtype.itemsize:
            raise ValueError("view() to a dtype of another size is not supported; use astype")
        return map_blocks(lambda b: b.view(dtype), self, dtype=dtype, name="view")

    # -- NumPy protocols -------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        if out is not None:
            if len(out) == 1 and isinstance(out[0], Array):
                kwargs.pop("out")
                result = self.__array_ufunc__(ufunc, method, *inputs, **kwargs)
                out[0]._assign_from(result)
                return out[0]
            return NotImplemented
        if method == "__call__":
            if ufunc.signature is not None:
                return apply_gufunc(ufunc, ufunc.signature, *inputs, **kwargs)
            if ufunc.nout > 1:
                return _multi_output(ufunc, inputs, kwargs)
            return elemwise(ufunc, *inputs, name=ufunc.__name__, **kwargs)
        if method == "reduce" and len(inputs) == 1:
            from . import reductions
            table = {np.add: reductions.sum, np.multiply: reductions.prod, np.minimum: reductions.min,
                     np.maximum: reductions.max, np.logical_and: reductions.all, np.logical_or: reductions.any}
            if ufunc in table:
                return table[ufunc](inputs[0], **kwargs)
        if method == "accumulate" and len(inputs) == 1:
            from . import reductions
            if ufunc is np.add:
                return reductions.cumsum(inputs[0], **kwargs)
            if ufunc is np.multiply:
                return reductions.cumprod(inputs[0], **kwargs)
        if method == "outer" and len(inputs) == 2:
            a, b = asarray(inputs[0]), asarray(inputs[1])
            return elemwise(ufunc, a[(Ellipsis,) + (None,) * b.ndim], b, name=ufunc.__name__, **kwargs)
        return NotImplemented

    def __array_function__(self, func, types, args, kwargs):
        from ._dispatch import HANDLED
        handler = HANDLED.get(func)
        if handler is None:
            warnings.warn(f"numpy.{func.__name__} is not implemented by tessera.array; computing the "
                          "arguments and calling NumPy. Use map_blocks to keep it lazy.", FutureWarning,
                          stacklevel=2)
            return func(*_compute_nested(args), **_compute_nested(kwargs))
        return handler(*args, **kwargs)

    def _assign_from(self, other):
        self._layers, self.name, self._chunks, self.dtype = other._layers, other.name, other._chunks, other.dtype

    # -- indexing --------------------------------------------------------------------------------
    def __getitem__(self, index):
        from .slicing import getitem
        return getitem(self, index)

    def __setitem__(self, index, value):
        from .slicing import setitem
        self._assign_from(setitem(self, index, value))

    @property
    def vindex(self):
        from .slicing import VIndexer
        return VIndexer(self)

    @property
    def blocks(self):
        from .slicing import BlockView
        return BlockView(self)

    partitions = blocks

    # -- shapes ----------------------------------------------------------------------------------
    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        return moveaxis_last_two(self)

    def transpose(self, *axes):
        from .routines import transpose
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, axes or None)

    def reshape(self, *shape, merge_chunks=True, limit=None):
        from .reshape import reshape
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = shape[0]
        return reshape(self, shape, merge_chunks=merge_chunks, limit=limit)

    def ravel(self):
        return self.reshape(-1)

    flatten = ravel

    def squeeze(self, axis=None):
        from .routines import squeeze
        return squeeze(self, axis)

    def swapaxes(self, axis1, axis2):
        from .routines import swapaxes
        return swapaxes(self, axis1, axis2)

    def rechunk(self, chunks="auto", threshold=None, block_size_limit=None, balance=False, method=None):
        from .rechunk import rechunk
        return rechunk(self, chunks, block_size_limit=block_size_limit, balance=balance)

    def map_blocks(self, func, *args, **kwargs):
        return map_blocks(func, self, *args, **kwargs)

    def map_overlap(self, func, depth, boundary=None, trim=True, **kwargs):
        from .overlap import map_overlap
        return map_overlap(func, self, depth=depth, boundary=boundary, trim=trim, **kwargs)

    def store(self, target, **kwargs):
        from .io import store
        return store([self], [target], **kwargs)

    def to_zarr(self, *args, **kwargs):
        from .io import to_zarr
        return to_zarr(self, *args, **kwargs)

    # -- reductions ------------------------------------------------------------------------------
    def _reduction(name):
        def method(self, *args, **kwargs):
            from . import reductions
            return getattr(reductions, name)(self, *args, **kwargs)
        method.__name__ = name
        return method

    sum = _reduction("sum")
    prod = _reduction("prod")
    mean = _reduction("mean")
    std = _reduction("std")
    var = _reduction("var")
    min = _reduction("min")
    max = _reduction("max")
    argmin = _reduction("argmin")
    argmax = _reduction("argmax")
    any = _reduction("any")
    all = _reduction("all")
    cumsum = _reduction("cumsum")
    cumprod = _reduction("cumprod")
    topk = _reduction("topk")
    argtopk = _reduction("argtopk")
    moment = _reduction("moment")
    del _reduction

    def nonzero(self):
        from .routines import nonzero
        return nonzero(self)

    def round(self, decimals=0):
        return elemwise(np.round, self, decimals, name="round")

    def clip(self, min=None, max=None):
        from .routines import clip
        return clip(self, min, max)

    def dot(self, other):
        from .linalg import dot
        return dot(self, other)

    def repeat(self, repeats, axis=None):
        from .routines import repeat
        return repeat(self, repeats, axis)

    # -- operators -----------------------------------------------------------------------------
    def __matmul__(self, other):
        from .linalg import matmul
        return matmul(self, other)

    def __rmatmul__(self, other):
        from .linalg import matmul
        return matmul(other, self)

    def __abs__(self):
        return elemwise(operator.abs, self, name="absolute")

    def __neg__(self):
        return elemwise(operator.neg, self, name="neg")

    def __pos__(self):
        return self

    def __invert__(self):
        return elemwise(operator.invert, self, name="invert")

    __hash__ = object.__hash__


def moveaxis_last_two(x):
    from .routines import swapaxes
    return swapaxes(x, -1, -2)


def _binary(op, name, reflected=False):
    def method(self, other):
        if not isinstance(other, (Array, np.ndarray, numbers.Number, np.generic, list, tuple, bool)):
            return NotImplemented
        if isinstance(other, (list, tuple)):
            other = np.asarray(other)
        return elemwise(op, other, self, name=name) if reflected else elemwise(op, self, other, name=name)
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("and", operator.and_), ("or", operator.or_), ("xor", operator.xor),
                   ("lshift", operator.lshift), ("rshift", operator.rshift)]:
    setattr(Array, f"__{_name}__", _binary(_op, _name))
    setattr(Array, f"__r{_name}__", _binary(_op, _name, reflected=True))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                   ("eq", operator.eq), ("ne", operator.ne)]:
    setattr(Array, f"__{_name}__", _binary(_op, _name))
setattr(Array, "__divmod__", lambda self, other: (self // other, self % other))
del _name, _op


def _astype(block, dtype, casting):
    return block.astype(dtype, casting=casting)


class _LayersView:
    """The union of an array's layers as one read-only mapping (no copy)."""

    __slots__ = ("_layers", "_names")

    def __init__(self, layers):
        self._layers = layers

    def __getitem__(self, key):
        return self._layers[_graph.key_name(key)][key]

    def __contains__(self, key):
        layer = self._layers.get(key if type(key) is str else key[0])
        return layer is not None and key in layer

    def items(self):
        for layer in self._layers.values():
            yield from layer.items()

    def __iter__(self):
        for layer in self._layers.values():
            yield from layer


class _SpecCall:
    """A task of Dask's task spec, called with its dependencies' values in order."""

    def __init__(self, node, deps):
        self.node, self.deps = node, deps
        self.__name__ = _graph.key_name(node.key).rsplit("-", 1)[0] if node.key is not None else "task"

    def __call__(self, *values):
        return self.node(dict(zip(self.deps, values)))


def _flatten_keys(keys):
    if type(keys) is list:
        for k in keys:
            yield from _flatten_keys(k)
    else:
        yield keys


def _restructure(template, values):
    if type(template) is list:
        return [_restructure(t, values) for t in template]
    return next(values)


def _finalize(results):
    if type(results) is not list:
        return np.asarray(results)[()]
    return _concat_nested(results)


def _compute_nested(value):
    if isinstance(value, Array):
        return value.compute()
    if type(value) in (list, tuple):
        return type(value)(_compute_nested(v) for v in value)
    if type(value) is dict:
        return {k: _compute_nested(v) for k, v in value.items()}
    return value


def merge_layers(*arrays):
    layers = {}
    for a in arrays:
        if isinstance(a, Array):
            layers.update(a._layers)
    return layers


def new_array(layer, name, chunks, dtype, *dependencies):
    layers = merge_layers(*dependencies)
    layers[name] = layer
    return Array(layers, name, chunks, dtype)


# --------------------------------------------------------------------------------------------
# creation from data

def from_array(x, chunks="auto", name=None, lock=False, asarray=None, fancy=True, getitem=None, meta=None,
               inline_array=False):
    """A chunked array reading `x` (a NumPy array or anything with shape, dtype and NumPy-style
    slicing: h5py, zarr, netCDF variables) block by block."""
    if isinstance(x, Array):
        return x.rechunk(chunks) if chunks != "auto" else x
    if isinstance(x, (list, tuple)) or np.isscalar(x) or not hasattr(x, "shape"):
        x = np.asarray(x)
    if not hasattr(x, "dtype"):
        x = np.asarray(x)
    shape = tuple(int(s) for s in x.shape)
    dtype = np.dtype(x.dtype)
    previous = getattr(x, "chunks", None)
    if chunks == "auto" and isinstance(previous, tuple) and len(previous) == len(shape) and \
            all(isinstance(c, numbers.Integral) for c in previous):
        chunks = previous  # zarr / h5py storage chunks
    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    if name is None or name is True:
        name = f"array-{tokenize(x, chunks)}"
    elif name is False:
        name = f"array-{uuid.uuid4().hex[:16]}"
    getter = _getter if getitem is None else getitem
    layer = {}
    slices = _block_slices(chunks)
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        index = tuple(slice(*slices[a][i]) for a, i in enumerate(idx))
        layer[(name, *idx)] = (getter, x, index)
    if not shape:
        layer = {(name,): (getter, x, ())}
    return Array({name: layer}, name, chunks, dtype)


def asarray(a, dtype=None, order=None, like=None, **kwargs):
    """`a` as a chunked array (arrays unchanged; NumPy data and lists as one block)."""
    if isinstance(a, Array):
        return a.astype(dtype) if dtype is not None else a
    if hasattr(a, "to_dask_array"):
        return a.to_dask_array()
    if isinstance(a, (list, tuple)) and any(isinstance(v, Array) for v in a):
        return stack([asarray(v) for v in a])
    if not hasattr(a, "shape") or not hasattr(a, "dtype") or dtype is not None:
        a = np.asarray(a, dtype=dtype)
    return from_array(a, chunks=kwargs.get("chunks", "auto"))


asanyarray = asarray


def array(a, dtype=None, copy=True, **kwargs):
    return asarray(a, dtype=dtype)


def to_numpy(x):
    return x.compute() if isinstance(x, Array) else np.asarray(x)


def _delayed_value(value):
    return value


def from_delayed(value, shape, dtype=None, meta=None, name=None):
    """A one-block array computed by a Delayed (its shape and dtype given up front)."""
    from ..delayed import Delayed
    if not isinstance(value, Delayed):
        if hasattr(value, "key") and hasattr(value, "result"):
            value = _FutureValue(value)
        else:
            raise TypeError(f"from_delayed needs a Delayed value, got {type(value).__name__}")
    if dtype is None:
        dtype = meta.dtype if meta is not None else float
    name = name or f"from-value-{tokenize(value.key if hasattr(value, 'key') else id(value), shape)}"
    held = _DelayedHeld(value)
    chunks = tuple((s,) for s in shape)
    key = (name,) + (0,) * len(shape)
    return Array({name: {key: held}}, name, chunks, dtype)


class _FutureValue:
    def __init__(self, future):
        self.future, self.key = future, future.key


class _DelayedHeld(_graph.Held):
    """A block that is a Delayed's (or future's) value: its engine node is the Delayed's own."""

    __slots__ = ()

    def __init__(self, value):
        self.future = value
        self.node = value._node if hasattr(value, "_node") else _core.held_node(value.future._f)

    def result(self):
        v = self.future
        return v.compute() if hasattr(v, "compute") else v.future.result()


# --------------------------------------------------------------------------------------------
# blockwise

def _common_chunks(chunk_sets, index):
    """Chunks every array can be rechunked to along one index: the union of their boundaries."""
    known = [c for c in chunk_sets]
    if all(c == known[0] for c in known):
        return known[0]
    if any(any(_isnan(x) for x in c) for c in known):
        raise ValueError(f"arrays with unknown chunk sizes (NaN) along index {index!r} cannot be aligned; "
                         "call compute_chunk_sizes() first")
    total = sum(known[0])
    if any(sum(c) != total for c in known):
        raise ValueError(f"shapes do not match along index {index!r}: lengths {[sum(c) for c in known]}")
    bounds = set()
    for c in known:
        s = 0
        for n in c:
            s += n
            bounds.add(s)
    bounds.discard(0)
    out, prev = [], 0
    for b in sorted(bounds):
        out.append(b - prev)
        prev = b
    return tuple(out) if out else (0,)


def unify_chunks(*args, align=True):
    """Rechunks arrays given with index strings to common chunks per index: (chunkss, arrays)."""
    pairs = list(zip(args[::2], args[1::2]))
    collected = {}
    for a, ind in pairs:
        if isinstance(a, Array) and ind is not None:
            for axis, (i, c) in enumerate(zip(ind, a.chunks)):
                if len(c) == 1 and c[0] == 1:
                    collected.setdefault(i, [])
                    continue  # broadcast
                collected.setdefault(i, []).append(c)
    chunkss = {}
    for i, sets in collected.items():
        chunkss[i] = _common_chunks(sets, i) if sets else (1,)
    arrays = []
    for a, ind in pairs:
        if isinstance(a, Array) and ind is not None:
            target = tuple(c if len(c) == 1 and c[0] == 1 else chunkss[i] for i, c in zip(ind, a.chunks))
            if target != a.chunks:
                if not align:
                    raise ValueError("chunks do not align and align_arrays=False")
                a = a.rechunk(target)
        arrays.append(a)
    return chunkss, arrays


def blockwise(func, out_ind, *args, name=None, token=None, dtype=None, adjust_chunks=None, new_axes=None,
              align_arrays=True, concatenate=None, meta=None, **kwargs):
    """Applies `func` block by block following index strings (Dask's ``blockwise``): indices of
    the output pair blocks up; an index absent from the output is contracted, its blocks passed
    as a list (or joined when ``concatenate=True``)."""
    new_axes = dict(new_axes or {})
    out_ind = tuple(out_ind)
    chunkss, arrays = unify_chunks(*args, align=align_arrays)
    pairs = list(zip(arrays, args[1::2]))
    for i, n in new_axes.items():
        chunkss[i] = tuple(n) if isinstance(n, tuple) else (n,)
    for i in out_ind:
        if i not in chunkss:
            raise ValueError(f"output index {i!r} appears in no input and not in new_axes")
    if dtype is None:
        dtype = meta.dtype if meta is not None else _infer_dtype(func, [a for a, _ in pairs], kwargs)
    prefix = name or getattr(func, "__name__", "blockwise")
    prefix = prefix.replace("<", "").replace(">", "")
    out_name = f"{prefix}-{token or tokenize(func, out_ind, *args, dtype, kwargs, adjust_chunks, new_axes, concatenate)}"
    call = functools.partial(func, **kwargs) if kwargs else func
    numblocks = {i: len(c) for i, c in chunkss.items()}
    contracted = []
    for a, ind in pairs:
        if isinstance(a, Array) and ind is not None:
            for i in ind:
                if i not in out_ind and i not in contracted:
                    contracted.append(i)
    layer = {}
    out_ranges = [range(numblocks[i]) for i in out_ind]
    for coords in itertools.product(*out_ranges):
        where = dict(zip(out_ind, coords))
        task_args = []
        for a, ind in pairs:
            if not isinstance(a, Array) or ind is None:
                task_args.append(a)
                continue
            a_contracted = [i for i in ind if i not in out_ind]
            if not a_contracted:
                task_args.append((a.name, *(where[i] if a.numblocks[ax] > 1 else 0 for ax, i in enumerate(ind))))
                continue

            def nest(k, fixed):
                if k == len(a_contracted):
                    return (a.name, *(fixed[i] if i in fixed else (where[i] if a.numblocks[ax] > 1 else 0)
                                      for ax, i in enumerate(ind)))
                i = a_contracted[k]
                ax = ind.index(i)
                return [nest(k + 1, {**fixed, i: j}) for j in range(a.numblocks[ax])]
            nested = nest(0, {})
            if concatenate:
                axes = [ind.index(i) for i in a_contracted]
                task_args.append((concatenate_axes, nested, axes))
            else:
                task_args.append(nested)
        layer[(out_name, *coords)] = (call, *task_args)
    if not out_ind:
        layer = {(out_name,): layer[(out_name,)]}
    out_chunks = []
    for i in out_ind:
        c = chunkss[i]
        if adjust_chunks and i in adjust_chunks:
            adj = adjust_chunks[i]
            if callable(adj):
                c = tuple(adj(n) for n in c)
            elif isinstance(adj, numbers.Integral):
                c = (adj,) * len(c)
            else:
                c = tuple(adj)
        out_chunks.append(c)
    return new_array(layer, out_name, tuple(out_chunks), dtype, *[a for a, _ in pairs])


def _infer_dtype(func, args, kwargs):
    metas = [_meta_like(a) for a in args]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = func(*metas, **kwargs)
        return np.asarray(out).dtype if not hasattr(out, "dtype") else out.dtype
    except Exception:
        pass
    try:  # functions that reject empty input: one element of ones
        ones = [np.ones((1,) * a.ndim, dtype=a.dtype) if isinstance(a, (Array, np.ndarray)) else a for a in args]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = func(*ones, **kwargs)
        return np.asarray(out).dtype
    except Exception:
        for a in args:
            if isinstance(a, (Array, np.ndarray)):
                return a.dtype
        return np.dtype(float)


def elemwise(op, *args, dtype=None, name=None, **kwargs):
    """Applies an elementwise function with NumPy broadcasting across chunked arrays."""
    kwargs.pop("out", None)
    where = kwargs.get("where", True)
    if where is not True:
        raise NotImplementedError("the where= argument of ufuncs is not supported on tessera arrays; use "
                                  "tessera.array.where")
    kwargs.pop("where", None)
    args = [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in args]
    shapes = [a.shape for a in args if isinstance(a, (Array, np.ndarray))]
    ndim = max((len(s) for s in shapes), default=0)
    out_shape = []
    for axis in range(ndim):
        sizes = {s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0}
        sizes.discard(1)
        known = {n for n in sizes if not _isnan(n)}
        if len(known) > 1:
            raise ValueError("operands could not be broadcast together with shapes "
                             + " ".join(str(tuple(s)) for s in shapes))
        out_shape.append(next(iter(sizes)) if sizes else 1)
    converted = []
    for a in args:
        if isinstance(a, np.ndarray) and a.ndim > 0:
            a = from_array(a, chunks=-1, name=f"array-{tokenize(a)}")
        converted.append(a)
    if dtype is None:
        dtype = _infer_dtype(op, converted, kwargs)
    ind_args = []
    for a in converted:
        if isinstance(a, Array):
            ind_args.extend([a, tuple(range(ndim - a.ndim, ndim))])
        else:
            ind_args.extend([a, None])
    if not any(isinstance(a, Array) for a in converted):
        return from_array(np.asarray(op(*args, **kwargs)), chunks=-1)
    prefix = name or getattr(op, "__name__", "elemwise")
    return blockwise(op, tuple(range(ndim)), *ind_args, dtype=dtype, name=prefix, **kwargs)


def _multi_output(ufunc, inputs, kwargs):
    outs = []
    for i in range(ufunc.nout):
        outs.append(elemwise(_pick_output(ufunc, i), *inputs, name=f"{ufunc.__name__}-{i}"[:-2] or ufunc.__name__,
                             **kwargs))
    return tuple(outs)


class _pick_output:
    def __init__(self, ufunc, i):
        self.ufunc, self.i = ufunc, i
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return self.ufunc(*args, **kwargs)[self.i]


def _wants(func, argument):
    try:
        return argument in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


class _BlockCall:
    """map_blocks' task function: passes block_id / block_info when the function asks."""

    def __init__(self, func, kwargs, block_id, info):
        self.func, self.kwargs, self.block_id, self.info = func, kwargs, block_id, info
        self.__name__ = getattr(func, "__name__", "map_blocks")

    def __call__(self, *args):
        kwargs = dict(self.kwargs)
        if self.block_id is not None:
            kwargs["block_id"] = self.block_id
        if self.info is not None:
            kwargs["block_info"] = self.info
        return self.func(*args, **kwargs)


def map_blocks(func, *args, name=None, token=None, dtype=None, chunks=None, drop_axis=None, new_axis=None,
               enforce_ndim=False, meta=None, **kwargs):
    """Applies `func` to every block (Dask's ``map_blocks``); arrays are aligned and broadcast
    like elementwise operands."""
    if not callable(func):
        raise TypeError(f"map_blocks' first argument must be a function, got {type(func).__name__}")
    arrays = [a for a in args if isinstance(a, Array)]
    if not arrays:
        raise ValueError("map_blocks needs at least one tessera array argument")
    drop_axis = [drop_axis] if isinstance(drop_axis, numbers.Integral) else list(drop_axis or [])
    new_axis = [new_axis] if isinstance(new_axis, numbers.Integral) else list(new_axis or [])
    ndim = max(a.ndim for a in arrays)
    drop_axis = [d % ndim for d in drop_axis]
    aligned = []
    for a in args:
        if isinstance(a, Array) and drop_axis and a.ndim == ndim:
            merged = {d: -1 for d in drop_axis if a.numblocks[d] > 1}
            if merged:
                a = a.rechunk(merged)
        aligned.append(a)
    ind_args = []
    for a in aligned:
        if isinstance(a, Array):
            ind_args.extend([a, tuple(range(ndim - a.ndim, ndim))])
        else:
            ind_args.extend([a, None])
    chunkss, unified = unify_chunks(*ind_args)
    kept = [i for i in range(ndim) if i not in drop_axis]
    out_ndim = len(kept) + len(new_axis)
    new_axis = [n % out_ndim for n in new_axis]
    if dtype is None:
        if meta is not None:
            dtype = np.asarray(meta).dtype
        else:
            dtype = _infer_dtype(lambda *bs: func(*bs, **{k: v for k, v in kwargs.items()}), unified, {}) \
                if not (_wants(func, "block_id") or _wants(func, "block_info")) else arrays[0].dtype
    prefix = name or getattr(func, "__name__", "map_blocks")
    prefix = prefix.replace("<", "").replace(">", "")
    out_name = f"{prefix}-{token or tokenize(func, *args, kwargs, chunks, drop_axis, new_axis, dtype)}"
    in_grid = [len(chunkss[i]) for i in range(ndim)]
    # output chunks
    if chunks is not None:
        if callable(chunks):
            raise TypeError("chunks= must be a tuple")
        given = list(chunks)
    else:
        given = None
    out_chunks = []
    old_axes = iter(kept)
    for o in range(out_ndim):
        if o in new_axis:
            out_chunks.append(None)
        else:
            out_chunks.append(next(old_axes))
    final_chunks = []
    for o, src in enumerate(out_chunks):
        if given is not None and o < len(given):
            g = given[o]
            if isinstance(g, numbers.Integral):
                n = len(chunkss[src]) if src is not None else 1
                g = (g,) * n
            final_chunks.append(tuple(g))
        elif src is None:
            final_chunks.append((1,))
        else:
            final_chunks.append(chunkss[src])
    wants_id, wants_info = _wants(func, "block_id"), _wants(func, "block_info")
    layer = {}
    for coords in itertools.product(*(range(n) for n in in_grid)):
        if any(coords[d] != 0 for d in drop_axis):
            continue
        task_args = []
        for a, ind in zip(unified, ind_args[1::2]):
            if isinstance(a, Array):
                task_args.append((a.name, *(coords[i] if a.numblocks[ax] > 1 else 0 for ax, i in enumerate(ind))))
            else:
                task_args.append(a)
        kept_coords = [coords[i] for i in kept]
        out_coords = []
        it = iter(kept_coords)
        for o in range(out_ndim):
            out_coords.append(0 if o in new_axis else next(it))
        block_id = tuple(out_coords)
        info = None
        if wants_info:
            info = {None: {"shape": tuple(sum(c) for c in final_chunks), "num-chunks": tuple(len(c) for c in final_chunks),
                           "chunk-location": block_id, "dtype": np.dtype(dtype)}}
            for k, (a, ind) in enumerate(zip(unified, ind_args[1::2])):
                if isinstance(a, Array):
                    loc = tuple(coords[i] if a.numblocks[ax] > 1 else 0 for ax, i in enumerate(ind))
                    info[k] = {"shape": a.shape, "num-chunks": a.numblocks, "chunk-location": loc,
                               "array-location": [tuple(_block_slices((a.chunks[ax],))[0][j]) for ax, j in enumerate(loc)]}
        call = _BlockCall(func, kwargs, block_id if wants_id else None, info) if (wants_id or wants_info) else \
            (functools.partial(func, **kwargs) if kwargs else func)
        layer[(out_name, *out_coords)] = (call, *task_args)
    if out_ndim == 0:
        layer = {(out_name,): next(iter(layer.values()))}
    return new_array(layer, out_name, tuple(final_chunks), dtype, *unified)


# --------------------------------------------------------------------------------------------
# joining

def concatenate(seq, axis=0, allow_unknown_chunksizes=False):
    """Joins arrays along an existing axis (blocks are kept, not copied)."""
    seq = [asarray(a) for a in seq]
    if not seq:
        raise ValueError("need at least one array to concatenate")
    ndim = seq[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    axis %= ndim
    for a in seq:
        if a.ndim != ndim:
            raise ValueError("all the input arrays must have same number of dimensions, but the array at "
                             f"index 0 has {ndim} dimension(s) and another has {a.ndim}")
    for a in seq:
        for ax in range(ndim):
            if ax != axis and a.shape[ax] != seq[0].shape[ax] and not _isnan(a.shape[ax]):
                raise ValueError(f"all the input array dimensions except for the concatenation axis must match "
                                 f"exactly, but along dimension {ax} the sizes differ ({seq[0].shape} vs {a.shape})")
    dtype = np.result_type(*[a.dtype for a in seq])
    # align the other axes
    args = []
    for a in seq:
        args.extend([a, tuple(i if i != axis else f"c{id(a)}" for i in range(ndim))])
    chunkss, seq = unify_chunks(*args)
    seq = [a if a.dtype == dtype else a.astype(dtype) for a in seq]
    name = f"concatenate-{tokenize(*seq, axis)}"
    layer = {}
    offset = 0
    for a in seq:
        for idx in itertools.product(*(range(n) for n in a.numblocks)):
            out = list(idx)
            out[axis] += offset
            layer[(name, *out)] = (a.name, *idx)
        offset += a.numblocks[axis]
    chunks = list(seq[0].chunks)
    chunks[axis] = tuple(itertools.chain.from_iterable(a.chunks[axis] for a in seq))
    return new_array(layer, name, tuple(chunks), dtype, *seq)


def _expand(block, axis):
    return np.expand_dims(block, axis)


def stack(seq, axis=0, allow_unknown_chunksizes=False):
    """Joins arrays of one shape along a new axis."""
    seq = [asarray(a) for a in seq]
    if not seq:
        raise ValueError("need at least one array to stack")
    shape = seq[0].shape
    for a in seq:
        if a.shape != shape:
            raise ValueError(f"all input arrays must have the same shape to stack: {shape} vs {a.shape}")
    ndim = len(shape) + 1
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    axis %= ndim
    return concatenate([a[(slice(None),) * axis + (None,)] for a in seq], axis=axis)


def block(arrays, allow_unknown_chunksizes=False):
    """Assembles an array from nested lists of blocks (as numpy.block)."""
    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) else 0
    d = depth(arrays)
    leaves = []

    def walk(x):
        if isinstance(x, list):
            for v in x:
                walk(v)
        else:
            leaves.append(asarray(x))
    walk(arrays)
    ndim = max(d, max(a.ndim for a in leaves))

    def build(x, level):
        if not isinstance(x, list):
            a = asarray(x)
            return a[(None,) * (ndim - a.ndim)] if a.ndim < ndim else a
        parts = [build(v, level + 1) for v in x]
        return concatenate(parts, axis=ndim - d + level) if len(parts) > 1 else parts[0]
    return build(arrays, 0)


def broadcast_to(x, shape, chunks=None):
    x = asarray(x)
    shape = tuple(shape)
    if x.shape == shape and chunks is None:
        return x
    ndim = len(shape)
    if ndim < x.ndim:
        raise ValueError(f"cannot broadcast shape {x.shape} to the smaller {shape}")
    for s, t in zip(x.shape[::-1], shape[::-1]):
        if s != t and s != 1:
            raise ValueError(f"cannot broadcast an array of shape {x.shape} to {shape}")
    extra = ndim - x.ndim
    if chunks is None:
        chunks = tuple((t,) if i < extra else (x.chunks[i - extra] if x.shape[i - extra] == t else (t,))
                       for i, t in enumerate(shape))
    else:
        chunks = normalize_chunks(chunks, shape, dtype=x.dtype)
    src = x
    for i in range(extra, ndim):
        if x.shape[i - extra] == 1 and shape[i] != 1 and x.numblocks[i - extra] != 1:
            src = src.rechunk({i - extra: -1})
    name = f"broadcast_to-{tokenize(x, shape, chunks)}"
    layer = {}
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        bshape = tuple(chunks[a][i] for a, i in enumerate(idx))
        src_idx = tuple(0 if src.shape[a - extra] == 1 else idx[a] for a in range(extra, ndim))
        layer[(name, *idx)] = (np.broadcast_to, (src.name, *src_idx), bshape)
    return new_array(layer, name, chunks, x.dtype, src)


def broadcast_arrays(*args):
    args = [asarray(a) for a in args]
    shape = np.broadcast_shapes(*[a.shape for a in args])
    return [broadcast_to(a, shape) for a in args]


# --------------------------------------------------------------------------------------------
# generalized ufuncs

def _parse_signature(signature):
    inputs, outputs = signature.replace(" ", "").split("->")

    def parse(part):
        out = []
        for group in part.split("),"):
            group = group.strip("()")
            out.append(tuple(d for d in group.split(",") if d))
        return out
    return parse(inputs), parse(outputs)


def apply_gufunc(func, signature, *args, axes=None, axis=None, keepdims=False, output_dtypes=None,
                 output_sizes=None, vectorize=None, allow_rechunk=False, meta=None, **kwargs):
    """Applies a generalized ufunc (core dimensions named by `signature`, e.g. "(i)->()") over
    the loop dimensions block by block; core dimensions must each be one chunk (or
    ``allow_rechunk=True``)."""
    if vectorize:
        func = np.vectorize(func, signature=signature)
    ins, outs = _parse_signature(signature)
    if len(ins) != len(args):
        raise ValueError(f"signature {signature!r} names {len(ins)} inputs, {len(args)} given")
    args = [asarray(a) for a in args]
    loop_ndim = max(a.ndim - len(core) for a, core in zip(args, ins))
    loop = tuple(f"l{i}" for i in range(loop_ndim))
    ind_args = []
    core_sizes = dict(output_sizes or {})
    for a, core in zip(args, ins):
        if a.ndim < len(core):
            raise ValueError(f"an input has {a.ndim} dimensions, fewer than its core dimensions {core}")
        for d, size, c in zip(core, a.shape[a.ndim - len(core):], a.chunks[a.ndim - len(core):]):
            core_sizes[d] = size
            if len(c) > 1 and not allow_rechunk:
                raise ValueError(f"core dimension {d!r} spans {len(c)} chunks; rechunk it to one chunk "
                                 "(or pass allow_rechunk=True)")
        if len(core) and any(len(c) > 1 for c in a.chunks[a.ndim - len(core):]):
            a = a.rechunk({ax: -1 for ax in range(a.ndim - len(core), a.ndim)})
        ind_args.extend([a, loop[loop_ndim - (a.ndim - len(core)):] + tuple(f"c_{d}" for d in core)])
    if output_dtypes is None:
        output_dtypes = [_infer_dtype(func, args, kwargs)] * len(outs) if len(outs) == 1 else None
        if output_dtypes is None:
            raise ValueError("output_dtypes= is required for functions with several outputs")
    if not isinstance(output_dtypes, (list, tuple)):
        output_dtypes = [output_dtypes]
    results = []
    for k, (core, dt) in enumerate(zip(outs, output_dtypes)):
        pick = func if len(outs) == 1 else _pick_output(_Indexed(func), k)
        out_ind = loop + tuple(f"c_{d}" for d in core)
        new_axes = {f"c_{d}": core_sizes[d] for d in core if all(f"c_{d}" not in ind for ind in ind_args[1::2])}
        for d in core:
            if f"c_{d}" in new_axes and d not in core_sizes:
                raise ValueError(f"output core dimension {d!r} needs its size in output_sizes=")
        results.append(blockwise(pick, out_ind, *ind_args, dtype=dt, new_axes=new_axes,
                                 name=getattr(func, "__name__", "apply_gufunc"), concatenate=True, **kwargs))
    return results[0] if len(outs) == 1 else tuple(results)


class _Indexed:
    def __init__(self, func):
        self.func = func
        self.__name__ = getattr(func, "__name__", "gufunc")

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    @property
    def nout(self):
        return None
