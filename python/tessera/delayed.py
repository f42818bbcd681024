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
import types
import uuid

from . import _core, _profiling, _scheduler

__all__ = ["Delayed", "delayed", "compute", "persist", "tokenize"]


class _Leaf:
    """Where a dependency's value goes in an argument structure."""

    __slots__ = ("position",)

    def __init__(self, position):
        self.position = position


def _flatten(value, leaves):
    """`value` with every Delayed / future replaced by a _Leaf; the engine handles collected."""
    from .distributed import Future
    if isinstance(value, Delayed):
        leaves.append(value._node)
        return _Leaf(len(leaves) - 1)
    if isinstance(value, Future):
        leaves.append(value._f)
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


def tokenize(*args, **kwargs) -> str:
    """A deterministic hex token of the arguments (their pickled bytes); a random one for
    values that cannot be pickled."""
    try:
        payload = pickle.dumps((args, sorted(kwargs.items())), protocol=5)
    except Exception:
        return uuid.uuid4().hex
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


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
    except Exception:
        return None
    return int(hashlib.blake2b(payload, digest_size=8).hexdigest(), 16)


def _call_node(func, args, kwargs, pure, name, key=None):
    leaves = []
    template = _flatten((list(args), kwargs), leaves)

    prefix = name or _function_name(func)

    def run(*values):
        call_args, call_kwargs = _rebuild(template, values)
        with _profiling.task(prefix):
            return func(*call_args, **call_kwargs)

    token = _pure_token(func, template, leaves) if pure and key is None else None
    return _core.make_node(name or _function_name(func), token, run, leaves, None if key is None else str(key))


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


class Delayed:
    """A lazy value: the result of a delayed call, an attribute, an item or an operator on one."""

    __slots__ = ("_node", "_length")

    def __init__(self, node, length=None):
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "_length", length)

    @property
    def key(self) -> str:
        return self._node.key

    def compute(self, **kwargs):
        return _core.compute_nodes([self._node], _scheduler.current())[0]

    def persist(self, **kwargs):
        """Computes now and keeps the result in the scheduler; the returned Delayed reads it."""
        return persist(self)[0]

    def visualize(self, filename="mydask", format="png"):
        """Draws the graph with graphviz (pip install graphviz, and Debian's graphviz)."""
        return visualize(self, filename=filename, format=format)

    def __repr__(self):
        return f"Delayed('{self.key}')"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Delayed(_call_node(getattr, (self, name), {}, True, "getattr"))

    def __setattr__(self, name, value):
        raise TypeError("Delayed objects are immutable")

    def __call__(self, *args, **kwargs):
        return Delayed(_call_node(_apply, (self, list(args), kwargs), {}, False, "call"))

    def __getitem__(self, key):
        return Delayed(_call_node(operator.getitem, (self, key), {}, True, "getitem"))

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


def _apply(function, args, kwargs):
    return function(*args, **kwargs)


def _operator(op, reflected=False):
    def method(self, *other):
        args = (other[0], self) if reflected else (self, *other)
        return Delayed(_call_node(op, args, {}, True, op.__name__))
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
        node = _call_node(self._func, args, kwargs, pure, self._name, key=dask_key_name)
        return Delayed(node, self._nout)

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
                           lambda *values: _rebuild(template, values), leaves)
    return Delayed(node, len(obj) if isinstance(obj, (list, tuple)) else None)


def _collections():
    from .dataframe.core import DataFrame, Scalar, Series
    return (DataFrame, Series, Scalar)


def compute(*args, **kwargs):
    """Computes several lazy objects at once (Delayed, DataFrame, Series, Scalar, or lists and
    dicts of them), sharing the work they have in common; returns a tuple of results."""
    frames = _collections()
    delayed_leaves, frame_leaves = [], []

    def collect(value):
        if isinstance(value, Delayed):
            delayed_leaves.append(value._node)
            return _Slot(delayed_leaves, len(delayed_leaves) - 1)
        if isinstance(value, frames):
            frame_leaves.append(value)
            return _Slot(frame_leaves, len(frame_leaves) - 1)
        if type(value) in (list, tuple):
            return type(value)(collect(v) for v in value)
        if type(value) is dict:
            return {k: collect(v) for k, v in value.items()}
        return value

    templates = [collect(a) for a in args]
    delayed_values = _core.compute_nodes(delayed_leaves, _scheduler.current()) if delayed_leaves else []
    frame_values = []
    if frame_leaves:
        # one graph for every collection (a combined Scalar contributes all its reductions)
        engines = [f._leaves if hasattr(f, "_leaves") else [f._d] for f in frame_leaves]
        tables = iter(_core.compute_all([e for group in engines for e in group], _scheduler.current()))
        frame_values = [_to_result(f, [next(tables) for _ in group]) for f, group in zip(frame_leaves, engines)]

    def fill(template):
        if isinstance(template, _Slot):
            return (delayed_values if template.leaves is delayed_leaves else frame_values)[template.position]
        if type(template) in (list, tuple):
            return type(template)(fill(v) for v in template)
        if type(template) is dict:
            return {k: fill(v) for k, v in template.items()}
        return template

    return tuple(fill(t) for t in templates)


class _Slot:
    """Where a computed value goes in compute()'s arguments."""

    __slots__ = ("leaves", "position")

    def __init__(self, leaves, position):
        self.leaves, self.position = leaves, position


def _to_result(collection, tables):
    from .dataframe.core import Scalar
    from ._convert import scalar_to_python
    if isinstance(collection, Scalar):
        return collection._finish([scalar_to_python(_core.scalar_of_table(t)) for t in tables])
    return collection._to_pandas(tables[0])


def persist(*args, **kwargs):
    """Computes lazy objects and keeps their results in the scheduler; returns equivalent lazy
    objects that read the kept results."""
    frames = _collections()
    out = []
    pending = [a._node for a in args if isinstance(a, Delayed)]
    submitted = _core.submit_nodes(pending, _scheduler.current()) if pending else []
    for future in submitted:
        future.result()  # finished (or raised) before returning, as Dask's local persist
    futures = iter(submitted)
    for a in args:
        if isinstance(a, Delayed):
            out.append(Delayed(_core.held_node(next(futures)), a._length))
        elif isinstance(a, frames) and hasattr(a, "persist"):
            out.append(a.persist())
        else:
            out.append(a)
    return tuple(out)


def visualize(*objects, filename="mydask", format="png"):
    """Writes the task graph of Delayed objects as an image with graphviz; returns its path."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("visualize needs the graphviz package: pip install graphviz "
                          "(and Debian's graphviz for the dot program)") from None
    graph = graphviz.Digraph(format=format)
    seen = set()
    stack = [o._node for o in objects if isinstance(o, Delayed)]
    while stack:
        node = stack.pop()
        if node.key in seen:
            continue
        seen.add(node.key)
        graph.node(node.key, label=node.name, shape="ellipse")
        for dependency in node.dependencies():
            graph.edge(dependency.key, node.key)
            stack.append(dependency)
    return graph.render(filename=filename, cleanup=True)
