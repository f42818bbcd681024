"""tessera's lazy objects as Dask task graphs, and tessera partitions in Dask's serialisation.

A Delayed call becomes a task calling the user's function (sent with cloudpickle, as Dask's
are). A DataFrame collection is lowered by the engine into tasks as data (an operation name, its
serialised parameters and its inputs), each run on a worker by ``_core.run_operation`` with the
GIL released. Keys are the engine's own (``read-csv-<token>``, ...), so Dask's dashboard groups
the tasks under those prefixes. Partitions cross processes as a small header and one frame per
buffer (no pickling of their data, no copy when read), and ``dask.sizeof`` knows their bytes, so
workers account for, spill and pause on them as on any other data.

Persisted partitions stay on the workers as futures. While a persisted collection lives, any
graph whose tasks have the same keys reads the futures instead of computing those tasks again."""

from __future__ import annotations

import threading
import weakref

import dask.base
import dask.utils
from dask._task_spec import DataNode, Task, TaskRef

from . import _core, _scheduler
from .delayed import Delayed, _is_cluster_future, _rebuild

def run_call(key, func, template, *values):
    """A Delayed call on a worker; a failure keeps its type and message and names the task."""
    try:
        if func is None:
            return _rebuild(template, values)
        args, kwargs = _rebuild(template, values)
        return func(*args, **kwargs)
    except Exception as error:
        error.add_note(f"[in task {key}]")
        raise


class NamingErrors:
    """A submitted function whose failure names the task's key (as the in-process scheduler's
    errors do); named and tokenized as the function itself, so keys keep its prefix."""

    def __init__(self, func):
        self.func = func
        self.__name__ = dask.utils.funcname(func)

    def __call__(self, *args, **kwargs):
        try:
            return self.func(*args, **kwargs)
        except Exception as error:
            from distributed.worker import thread_state
            key = getattr(thread_state, "key", None)
            if key is not None:
                error.add_note(f"[in task {key}]")
            raise

    def __dask_tokenize__(self):
        return ("tessera-call", dask.base.tokenize(self.func))


def _argument(leaf, graph, stack):
    """How a dependency reaches a task: the key of a task in the graph, or a cluster future."""
    if _is_cluster_future(leaf):
        return leaf
    if isinstance(leaf, Delayed):
        if _is_cluster_future(leaf._call):
            return leaf._call
        stack.append(leaf)
        return TaskRef(leaf.key)
    return leaf.result()  # a future of the in-process scheduler: its value travels


def delayed_graph(roots) -> dict:
    """The Dask tasks behind Delayed objects (futures they read stay on the cluster)."""
    graph = {}
    stack = list(roots)
    while stack:
        item = stack.pop()
        key = item.key
        if key in graph:
            continue
        call = item._call
        if _is_cluster_future(call):
            graph[key] = call
        elif call is None:  # persisted by the in-process scheduler: its value travels
            graph[key] = DataNode(key, _core.compute_nodes([item._node], _scheduler.current())[0])
        else:
            args = [_argument(leaf, graph, stack) for leaf in call.dependencies]
            graph[key] = Task(key, run_call, key, call.func, call.template, *args)
    return graph


def persisted_delayed(dsk, length, rename=None):
    """The Delayed a cluster persist returns: it reads the future holding the value."""
    (future,) = dsk.values()
    key = future.key
    node = _core.make_node("future", None, future.result, [], key if isinstance(key, str) else str(key))
    return Delayed(node, length, future)


# -- DataFrame collections as Dask tasks ---------------------------------------------------------
_engine_ready = False
_engine_lock = threading.Lock()


def _ready_engine():
    """Makes this process able to run and read every kind of lowered task. The engine registers
    its task operations when it first lowers a graph, and the readers of its intermediate values
    when it first makes one; a worker only runs and receives tasks. So once per process, a tiny
    frame goes through the steps that make them all (read_csv blocks, reductions, set_index by
    sampling and by pieces, groupby, value_counts), lowered for compute and persist and run here."""
    global _engine_ready
    if _engine_ready:
        return
    with _engine_lock:
        if _engine_ready:
            return
        import os
        import tempfile

        import pandas as pd

        from . import dataframe as dd
        with tempfile.TemporaryDirectory() as directory, _scheduler.using_local():
            path = os.path.join(directory, "ready.csv")
            pd.DataFrame({"k": [3, 1, 2, 0] * 4, "v": [1.0, 2.0, 3.0, 4.0] * 4}).to_csv(path, index=False)
            df = dd.read_csv(path, blocksize=32)
            steps = [df.v.sum(), df.set_index("k"), df.set_index("k", divisions=[0, 2, 3], shuffle="pieces"),
                     df.groupby("k").v.mean(), df.k.value_counts()]
            for step in steps:
                step.compute()
                for persist in (False, True):
                    _core.lower_tasks(step._graph_leaves(), persist)
        _engine_ready = True


def run_operation(key, operation, params, *inputs):
    """One lowered engine task on a worker (the GIL released while it runs); a failure keeps its
    type and message and names the task."""
    _ready_engine()
    try:
        return _core.run_operation(operation, params, list(inputs), key)
    except Exception as error:
        error.add_note(f"[in task {key}]")
        raise


class _Held:
    """A persisted partition's future, held by the persisted collection (and graphs reading it)."""

    __slots__ = ("future", "__weakref__")

    def __init__(self, future):
        self.future = future


_held = weakref.WeakValueDictionary()  # (name, index) -> _Held of a live persisted collection


def _input(arg):
    if type(arg) is tuple and len(arg) == 3 and arg[0] == "key":
        return TaskRef((arg[1], arg[2]))
    return arg


def lower(leaves) -> tuple:
    """(graph, keys): the Dask tasks computing engine objects partition by partition, and per
    object the keys of its partitions. Partitions persisted on the cluster enter as their
    futures."""
    tasks, outputs = _core.lower_tasks(list(leaves), True)
    graph = {}
    for name, index, operation, params, args in tasks:
        key = (name, index)
        graph[key] = Task(key, run_operation, key, operation, params, *[_input(a) for a in args])
    keys = [[(name, index) for name, index in output] for output in outputs]
    references = {d for task in graph.values() for d in task.dependencies} | {k for ks in keys for k in ks}
    for key in references - graph.keys():
        held = _held.get(key)
        if held is None:
            raise ValueError(f"partition {key} of a collection persisted on the cluster was released (its "
                             "persisted collection was deleted); keep the collection persist() returned, or "
                             "persist again")
        graph[key] = held.future
    return graph, keys


def _table(value):
    return value.table() if isinstance(value, _core.Partition) else value


def _concat(partitions):
    tables = [_table(p) for p in partitions]
    if len(tables) == 1:
        return tables[0]
    return _core.from_tables(tables, None).compute(None)


def finish_partitions(results, finisher):
    """A collection's result from its partitions' values (runs where Dask finalizes)."""
    return finisher([_concat(partitions) for partitions in results])


def persisted_collection(dsk, collection, rename=None):
    """The collection a cluster persist returns: it reads partitions held under the futures'
    keys, and holds the futures (releasing the collection releases them)."""
    if len(collection._graph_leaves()) != 1:  # a combined Scalar: computing it again is cheap
        return collection
    (keys,) = collection.__dask_keys__()
    holders = []
    for key in keys:
        holder = _held.get(key)
        if holder is None:
            holder = _Held(dsk[key])
            _held[key] = holder
        holders.append(holder)
    return collection._cluster_persisted(keys, holders)


def end_rows(client, frame, n, last=False):
    """head(n) / tail(n) of an engine frame on a cluster, as a table: its first (last)
    partitions are computed there, one at a time, until they hold n rows."""
    order = range(frame.npartitions - 1, -1, -1) if last else range(frame.npartitions)
    tables, rows = [], 0
    for i in order:
        graph, (keys,) = lower([frame.partitions([i])])
        table = _concat(client.get(graph, keys))
        tables.append(table)
        rows += table.num_rows
        if rows >= n:
            break
    if last:
        tables.reverse()
    local = _core.from_tables(tables, None)
    return local.tail(n, None) if last else local.head(n, None)


def local_get(graph, keys, **kwargs):
    """dask.compute of tessera objects without a cluster: Dask's threads run the tasks."""
    import dask.threaded
    return dask.threaded.get(graph, keys, **kwargs)


# -- partitions in Dask's serialisation ----------------------------------------------------------
def _partition_types() -> list:
    """The engine's partition classes: those with serialize() and nbytes."""
    return [cls for cls in vars(_core).values()
            if isinstance(cls, type) and hasattr(cls, "serialize") and hasattr(cls, "nbytes")]


def _serialize_partition(partition):
    header, frames = partition.serialize()
    return {"tessera": header}, list(frames)


def partition_from_frames(header, frames):
    _ready_engine()
    return _core.deserialize_partition(header, frames)


def _deserialize_partition(header, frames):
    return partition_from_frames(header["tessera"], frames)


def _register_partitions():
    from dask.sizeof import sizeof
    try:
        from distributed.protocol import dask_deserialize, dask_serialize
    except ImportError:
        dask_serialize = dask_deserialize = None
    for cls in _partition_types():
        sizeof.register(cls)(lambda partition: int(partition.nbytes))
        if dask_serialize is not None:
            dask_serialize.register(cls)(_serialize_partition)
            dask_deserialize.register(cls)(_deserialize_partition)


_register_partitions()
