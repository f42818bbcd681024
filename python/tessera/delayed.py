"""tessera.delayed: lazy calls of Python functions, run as tasks on the engine's scheduler.

Calls build a graph; nothing runs until ``compute()``. Arguments may be (nested lists, tuples,
dicts and sets of) Delayed objects and futures: they become the task's dependencies and reach
the function as their values. Impure by default (each call is a new task), as in Dask;
``pure=True`` gives equal calls one key so they run once."""

from __future__ import annotations

import hashlib
import inspect
import operator
import pickle
import sys
import types

from . import _core, _profiling, _scheduler
from .base import Collection, compute, persist, tokenize, visualize

__all__ = ["Delayed", "delayed", "compute", "persist", "tokenize"]


class _Leaf:
    """Where a dependency's value goes in an argument structure."""

    __slots__ = ("position",)

    def __init__(self, position):
        self.position = position


def _flatten(value, leaves):
    """`value` with every Delayed / future replaced by a _Leaf; those objects collected."""
    from .distributed import Future
    if isinstance(value, (Delayed, Future)) or _is_cluster_future(value):
        leaves.append(value)
        return _Leaf(len(leaves) - 1)
    if type(value) in (list, tuple, set, frozenset):
        items = [_flatten(v, leaves) for v in value]
        return type(value)(items) if not isinstance(value, (set, frozenset)) else _Structure(type(value), items)
    if type(value) is dict:
        return {k: _flatten(v, leaves) for k, v in value.items()}
    return value


class _Structure:
    """A set whose members may be leaves (leaves are unhashable placeholders)."""

    __slots__ = ("kind", "items")

    def __init__(self, kind, items):
        self.kind, self.items = kind, items


def _is_cluster_future(value) -> bool:
    """A future of Dask's distributed (only possible once distributed is imported)."""
    module = sys.modules.get("distributed")
    return module is not None and isinstance(value, module.Future)


def _engine_leaf(leaf):
    """The engine object a dependency's value comes from."""
    if isinstance(leaf, Delayed):
        return leaf._node
    if _is_cluster_future(leaf):
        return _core.make_node(leaf.key if isinstance(leaf.key, str) else str(leaf.key), None, leaf.result, [],
                               None)
    return leaf._f


def _rebuild(template, values):
    if isinstance(template, _Leaf):
        return values[template.position]
    if isinstance(template, _Structure):
        return template.kind(_rebuild(v, values) for v in template.items)
    if type(template) in (list, tuple):
        return type(template)(_rebuild(v, values) for v in template)
    if type(template) is dict:
        return {k: _rebuild(v, values) for k, v in template.items()}
    return template


def _function_name(func):
    name = getattr(func, "__name__", None) or type(func).__name__
    return name.replace("<", "").replace(">", "") or "delayed"


def _function_identity(func):
    """What makes two callables the same function, for pure keys: a module-level function or
    builtin by its qualified name; a lambda or closure by its code and captured values; a bound
    method by its function and instance; any other callable by its pickled bytes."""
    if isinstance(func, types.BuiltinFunctionType) or (
            isinstance(func, types.FunctionType) and "<" not in func.__qualname__ and func.__closure__ is None):
        return ("function", func.__module__, func.__qualname__)
    if isinstance(func, types.FunctionType):
        cells = tuple(c.cell_contents for c in func.__closure__ or ())
        return ("code", func.__module__, func.__qualname__, _code_identity(func.__code__),
                tokenize(cells, func.__defaults__, func.__kwdefaults__))
    if inspect.ismethod(func):
        return ("method", _function_identity(func.__func__), tokenize(func.__self__))
    return ("object", tokenize(func))


def _code_identity(code):
    """A code object as picklable data; nested code (comprehensions, inner functions) included."""
    consts = tuple(_code_identity(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return (code.co_code, consts, code.co_names)


def _pure_token(func, template, leaves):
    """The key token of a pure call, or None (a fresh key for this call, as Dask gives calls it
    cannot hash) when the function or an argument cannot be pickled (a lock, a generator)."""
    try:
        payload = pickle.dumps((_function_identity(func), _strip_leaves(template), [leaf.key for leaf in leaves]),
                               protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return int(hashlib.blake2b(payload, digest_size=8).hexdigest(), 16)


class _Call:
    """A task as data: ``func(*args, **kwargs)`` with the dependencies' values put in the
    template's leaves (func None: the template itself is the value). What a cluster runs."""

    __slots__ = ("func", "template", "dependencies")

    def __init__(self, func, template, dependencies):
        self.func, self.template, self.dependencies = func, template, dependencies


def _call_node(func, args, kwargs, pure, name, key=None):
    """The engine node of a call, and the call as data."""
    leaves = []
    template = _flatten((list(args), kwargs), leaves)
    engine_leaves = [_engine_leaf(leaf) for leaf in leaves]

    prefix = name or _function_name(func)

    def run(*values):
        call_args, call_kwargs = _rebuild(template, values)
        with _profiling.task(prefix):
            return func(*call_args, **call_kwargs)

    token = _pure_token(func, template, engine_leaves) if pure and key is None else None
    node = _core.make_node(name or _function_name(func), token, run, engine_leaves, None if key is None else str(key))
    return node, _Call(func, template, leaves)


def _call(func, args, kwargs, pure, name, key=None, length=None):
    node, call = _call_node(func, args, kwargs, pure, name, key)
    return Delayed(node, length, call)


def _strip_leaves(template):
    if isinstance(template, _Leaf):
        return ("__leaf__", template.position)
    if isinstance(template, _Structure):
        return (template.kind.__name__, [_strip_leaves(v) for v in template.items])
    if type(template) in (list, tuple):
        return type(template)(_strip_leaves(v) for v in template)
    if type(template) is dict:
        return {k: _strip_leaves(v) for k, v in template.items()}
    return template


class Delayed(Collection):
    """A lazy value: the result of a delayed call, an attribute, an item or an operator on one."""

    # _call: how a cluster computes it (a _Call, a distributed Future holding the value, or None
    # for a value held by the local scheduler)
    __slots__ = ("_node", "_length", "_call")

    def __init__(self, node, length=None, call=None):
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "_length", length)
        object.__setattr__(self, "_call", call)

    @property
    def key(self) -> str:
        return self._node.key

    def compute(self, **kwargs):
        if _scheduler.cluster() is not None:
            return compute(self)[0]
        return _core.compute_nodes([self._node], _scheduler.current())[0]

    def persist(self, **kwargs):
        """Computes now and keeps the result in the scheduler (on a cluster: on a worker); the
        returned Delayed reads it."""
        return persist(self)[0]

    def visualize(self, filename="mydask", format="png"):
        """Draws the graph with graphviz (pip install graphviz, and Debian's graphviz)."""
        return visualize(self, filename=filename, format=format)

    # -- the collection protocol of tessera.base ---------------------------------------------
    def _graph_leaves(self):
        return [self._node]

    _compute_graph_leaves = staticmethod(_core.compute_nodes)

    def _from_leaf_values(self, values):
        return values[0]

    @classmethod
    def _persist_all(cls, objects):
        futures = _core.submit_nodes([o._node for o in objects], _scheduler.current())
        for future in futures:
            future.result()  # finished (or raised) before returning, as Dask's local persist
        return [Delayed(_core.held_node(f), o._length) for o, f in zip(objects, futures)]

    # -- Dask's collection protocol (dask.compute, distributed's Client.compute / persist) ----
    def __dask_graph__(self):
        from ._dask_graph import delayed_graph
        return delayed_graph([self])

    @property
    def dask(self):
        """The task graph, as Dask's Delayed.dask."""
        return self.__dask_graph__()

    def __dask_keys__(self):
        return [self.key]

    __dask_optimize__ = None

    def __dask_postcompute__(self):
        return _first, ()

    def __dask_postpersist__(self):
        from ._dask_graph import persisted_delayed
        return persisted_delayed, (self._length,)

    def __dask_tokenize__(self):
        return self.key

    __dask_scheduler__ = staticmethod(lambda graph, keys, **kwargs: _dask_local_get(graph, keys, **kwargs))

    def _visual_nodes(self):
        seen, stack = set(), [self._node]
        while stack:
            node = stack.pop()
            if node.key in seen:
                continue
            seen.add(node.key)
            dependencies = node.dependencies()
            yield node.key, node.name, [d.key for d in dependencies]
            stack.extend(dependencies)

    def __repr__(self):
        return f"Delayed('{self.key}')"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _call(getattr, (self, name), {}, True, "getattr")

    def __setattr__(self, name, value):
        raise TypeError("Delayed objects are immutable")

    def __call__(self, *args, **kwargs):
        return _call(_apply, (self, list(args), kwargs), {}, False, "call")

    def __getitem__(self, key):
        return _call(operator.getitem, (self, key), {}, True, "getitem")

    def __iter__(self):
        if self._length is None:
            raise TypeError("a Delayed object of unknown length cannot be iterated; pass nout= to delayed")
        return iter([self[i] for i in range(self._length)])

    def __len__(self):
        if self._length is None:
            raise TypeError("a Delayed object of unknown length has no len(); pass nout= to delayed")
        return self._length

    def __bool__(self):
        raise TypeError("the truth value of a Delayed object is not known until compute()")

    __hash__ = object.__hash__


def _first(results):
    return results[0]


def _dask_local_get(graph, keys, **kwargs):
    from ._dask_graph import local_get
    return local_get(graph, keys, **kwargs)


def _apply(function, args, kwargs):
    return function(*args, **kwargs)


def _operator(op, reflected=False):
    def method(self, *other):
        args = (other[0], self) if reflected else (self, *other)
        return _call(op, args, {}, True, op.__name__)
    return method


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("matmul", operator.matmul), ("and", operator.and_),
                   ("or", operator.or_), ("xor", operator.xor), ("lshift", operator.lshift),
                   ("rshift", operator.rshift)]:
    setattr(Delayed, f"__{_name}__", _operator(_op))
    setattr(Delayed, f"__r{_name}__", _operator(_op, reflected=True))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                   ("eq", operator.eq), ("ne", operator.ne), ("neg", operator.neg), ("pos", operator.pos),
                   ("invert", operator.invert), ("abs", operator.abs)]:
    setattr(Delayed, f"__{_name}__", _operator(_op))
del _name, _op


class DelayedFunction:
    """``delayed(func)``: calling it makes a Delayed for that call."""

    def __init__(self, func, pure=False, nout=None, name=None):
        self._func, self._pure, self._nout, self._name = func, pure, nout, name
        self.__name__ = getattr(func, "__name__", "delayed")
        self.__doc__ = getattr(func, "__doc__", None)
        self.__wrapped__ = func

    def __call__(self, *args, dask_key_name=None, pure=None, **kwargs):
        pure = self._pure if pure is None else pure
        return _call(self._func, args, kwargs, pure, self._name, key=dask_key_name, length=self._nout)

    def __repr__(self):
        return f"delayed({self._func!r})"


def delayed(obj=None, *, pure=False, nout=None, name=None, traverse=True):
    """Wraps a function (calls become lazy tasks) or a value (a lazy constant); also a decorator
    with or without arguments (``@delayed``, ``@delayed(pure=True)``)."""
    if obj is None:
        return lambda func: delayed(func, pure=pure, nout=nout, name=name)
    if isinstance(obj, Delayed):
        return obj
    if callable(obj):
        return DelayedFunction(obj, pure=pure, nout=nout, name=name)
    leaves = []
    template = _flatten(obj, leaves)
    node = _core.make_node(name or type(obj).__name__, int(tokenize(repr(type(obj)), id(obj)), 16),
                           lambda *values: _rebuild(template, values), [_engine_leaf(leaf) for leaf in leaves])
    return Delayed(node, len(obj) if isinstance(obj, (list, tuple)) else None, _Call(None, template, leaves))
