"""Array task graphs: Dask-style dicts ``{key: (callable, *args)}`` with keys ``(name, i, j, ...)``,
and their submission to tessera's scheduler as one batch (``_core.make_task_nodes``).

The dict form is what ``__dask_graph__`` hands to Dask (and so to a distributed cluster); the
engine form is one node per key, named ``name`` with the block's position as the key index, so
the dashboard groups tasks by the name's prefix (``add-<token>`` -> ``add``)."""

from __future__ import annotations

from .. import _core

__all__ = ["Held", "is_key", "key_index", "build_nodes", "flatten_graph"]


class Held:
    """A block already computed and kept by the scheduler (a persisted array's block)."""

    __slots__ = ("future", "node")

    def __init__(self, future):
        self.future = future
        self.node = _core.held_node(future)

    def result(self):
        return self.future.result()


def _held_value(held):
    return held.result()


def is_key(value, graph) -> bool:
    t = type(value)
    if t is tuple:
        if not value or type(value[0]) is not str:
            return False
    elif t is not str:
        return False
    try:
        return value in graph
    except TypeError:
        return False


def key_index(key, grid=None) -> int:
    """The engine key index of a block key: the block's position in C order over `grid` (the
    number of blocks per axis of its layer), so keys print as ('add-<token>', 7)."""
    if type(key) is str:
        return -1
    idx = key[1:]
    if not idx:
        return -1
    if len(idx) == 1:
        return int(idx[0])
    out = 0
    for i, n in zip(idx, grid):
        out = out * n + int(i)
    return out


class _Grids:
    """Blocks per axis of every layer name, found from the layer's keys when first asked."""

    def __init__(self, graph):
        self.graph, self.grids = graph, {}

    def __call__(self, name):
        grid = self.grids.get(name)
        if grid is None:
            layers = getattr(self.graph, "_layers", None)
            keys = layers[name].keys() if layers is not None and name in layers else \
                [k for k in self.graph if type(k) is tuple and k[0] == name]
            dims = None
            for k in keys:
                if type(k) is tuple:
                    dims = [max(a, int(b) + 1) for a, b in zip(dims, k[1:])] if dims else [int(b) + 1 for b in k[1:]]
            grid = self.grids[name] = tuple(dims or ())
        return grid


def key_name(key) -> str:
    return key if type(key) is str else key[0]


class _Packed:
    """A task whose arguments hold keys inside lists or nested tasks: called with the values of
    those keys in order, it rebuilds the arguments and calls the function."""

    __slots__ = ("func", "template")

    def __init__(self, func, template):
        self.func, self.template = func, template

    def __call__(self, *values):
        return self.func(*_fill(self.template, values))

    @property
    def __name__(self):
        return getattr(self.func, "__name__", "task")


class _Slot:
    __slots__ = ("position",)

    def __init__(self, position):
        self.position = position


def _fill(template, values):
    t = type(template)
    if t is _Slot:
        return values[template.position]
    if t is list:
        return [_fill(v, values) for v in template]
    if t is _Nested:
        return template.func(*_fill(template.args, values))
    if t is tuple:
        return tuple(_fill(v, values) for v in template)
    return template


class _Nested:
    __slots__ = ("func", "args")

    def __init__(self, func, args):
        self.func, self.args = func, args


def _is_task(value):
    return type(value) is tuple and value and callable(value[0])


def _template(value, graph, refs):
    """`value` with keys replaced by slots (refs collects the keys), or `value` itself."""
    if is_key(value, graph):
        refs.append(value)
        return _Slot(len(refs) - 1)
    t = type(value)
    if t is list:
        return [_template(v, graph, refs) for v in value]
    if _is_task(value):
        return _Nested(value[0], [_template(v, graph, refs) for v in value[1:]])
    return value


def _needs_packing(value, graph):
    t = type(value)
    if t is list:
        return any(is_key(v, graph) or _needs_packing(v, graph) for v in value)
    return _is_task(value)


def _identity(x):
    return x


def build_nodes(graph, keys):
    """Engine nodes of `keys` (a list) of a Dask-style graph, built in one binding call from
    everything the keys reach (the rest of the graph is left out)."""
    names, name_slots, tasks, position, held_nodes = [], {}, [], {}, {}
    grids = _Grids(graph)
    stack = [(k, False) for k in reversed(keys)]
    while stack:
        key, expanded = stack.pop()
        if key in position or key in held_nodes:
            continue
        task = graph[key]
        if not expanded:
            stack.append((key, True))
            deps = _dependencies(task, graph)
            stack.extend((d, False) for d in deps if d not in position and d not in held_nodes)
            continue
        if isinstance(task, Held):
            held_nodes[key] = task.node
            continue
        if _is_task(task):
            func, args = task[0], task[1:]
        else:  # an alias of another key, or a literal (maybe a list holding keys)
            func, args = _identity, (task,)
        if any(_needs_packing(a, graph) for a in args):
            refs = []
            template = [_template(a, graph, refs) for a in args]
            func, args = _Packed(func, template), tuple(refs)
        call_args, ref_positions = [], []
        for i, a in enumerate(args):
            if is_key(a, graph):
                if a in held_nodes:
                    call_args.append(held_nodes[a])
                else:
                    call_args.append(position[a])
                    ref_positions.append(i)
            else:
                call_args.append(a)
        name = key_name(key)
        slot = name_slots.get(name)
        if slot is None:
            slot = name_slots[name] = len(names)
            names.append(name)
        position[key] = len(tasks)
        index = key_index(key, grids(name) if type(key) is tuple and len(key) > 2 else None)
        tasks.append((slot, index, func, tuple(call_args), tuple(ref_positions)))
    outputs, out_positions = [], []
    for k in keys:
        if k in held_nodes:
            outputs.append(held_nodes[k])
        else:
            outputs.append(None)
            out_positions.append(position[k])
    made = iter(_core.make_task_nodes(names, tasks, out_positions)) if out_positions else iter(())
    return [o if o is not None else next(made) for o in outputs]


def _dependencies(task, graph):
    out = []
    if isinstance(task, Held):
        return out
    if is_key(task, graph):
        return [task]
    args = task[1:] if _is_task(task) else (task,) if type(task) is list else ()
    stack = list(args)
    while stack:
        v = stack.pop()
        if is_key(v, graph):
            out.append(v)
        elif type(v) is list:
            stack.extend(v)
        elif _is_task(v):
            stack.extend(v[1:])
    return out


def flatten_graph(layers) -> dict:
    """One dict of all layers, with kept blocks as tasks reading them (for Dask)."""
    out = {}
    for layer in layers.values():
        for k, v in layer.items():
            out[k] = (_held_value, v) if isinstance(v, Held) else v
    return out
