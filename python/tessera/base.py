"""What every lazy tessera object shares: ``compute``, ``persist``, ``tokenize`` and
``visualize`` over the collections of the delayed and dataframe layers.

Both layers build on this module and neither imports the other: a collection says which engine
objects it needs (its graph leaves), which engine call computes a batch of them, and how its
result is made from their values. ``compute(a, b, ...)`` then runs one batch per engine call, so
work the objects share runs once."""

from __future__ import annotations

import hashlib
import pickle
import uuid

from . import _core, _scheduler

__all__ = ["Collection", "compute", "persist", "tokenize", "visualize", "is_collection", "parse_bytes"]


class Collection:
    """The protocol of a lazy tessera object (Delayed, DataFrame, Series, Index, Scalar)."""

    __slots__ = ()

    def _graph_leaves(self) -> list:
        """The engine objects this object's value is computed from."""
        raise NotImplementedError

    @staticmethod
    def _compute_graph_leaves(leaves, scheduler) -> list:
        """Computes engine objects of this kind together; one value per leaf, in order."""
        raise NotImplementedError

    def _from_leaf_values(self, values):
        """The object's result from the values of its leaves."""
        raise NotImplementedError

    @classmethod
    def _persist_all(cls, objects) -> list:
        """Computes objects of this class and returns lazy equivalents reading the kept results."""
        return [o.persist() for o in objects]

    def _visual_nodes(self):
        """(key, label, dependency keys) of every task or step behind this object, for visualize."""
        raise NotImplementedError(f"visualize() is not available for {type(self).__name__}")


class DaskCollection:
    """Dask's collection protocol for objects the engine lowers into tasks (DataFrame, Series,
    Index, Scalar), so dask.compute, distributed's Client.compute / persist, futures_of and wait
    take them: one task per partition (see tessera._dask_graph). A subclass gives
    ``_finisher()`` (its result from its leaves' tables; it must pickle, as Dask may finalize
    on a worker) and ``_cluster_persisted(holders)`` (the object holding persisted partitions)."""

    __slots__ = ()

    def _dask_lowered(self):
        """(graph, keys), lowered once per engine objects (Dask asks for both several times)."""
        from ._dask_graph import lower
        leaves = self._graph_leaves()
        cached = self.__dict__.get("_dask_lowering")
        if cached is None or len(cached[0]) != len(leaves) or any(a is not b for a, b in zip(cached[0], leaves)):
            cached = (leaves, lower(leaves))
            object.__setattr__(self, "_dask_lowering", cached)
        return cached[1]

    def __dask_graph__(self):
        return self._dask_lowered()[0]

    def __dask_keys__(self):
        return self._dask_lowered()[1]

    def __dask_tokenize__(self):
        return repr(self.__dask_keys__())

    __dask_optimize__ = None

    def __dask_postcompute__(self):
        from ._dask_graph import finish_partitions
        return finish_partitions, (self._finisher(),)

    def __dask_postpersist__(self):
        from ._dask_graph import persisted_collection
        return persisted_collection, (self,)

    @staticmethod
    def __dask_scheduler__(graph, keys, **kwargs):
        from ._dask_graph import local_get
        return local_get(graph, keys, **kwargs)


def is_collection(value) -> bool:
    return isinstance(value, Collection)


class _Slot:
    """Where a computed value goes in compute()'s arguments."""

    __slots__ = ("collection", "batch", "start", "count")

    def __init__(self, collection, batch, start, count):
        self.collection, self.batch, self.start, self.count = collection, batch, start, count


def compute(*args, **kwargs):
    """Computes several lazy objects at once (Delayed, DataFrame, Series, Scalar, or lists,
    tuples and dicts of them), sharing the work they have in common; returns a tuple of results."""
    cluster = _scheduler.cluster()
    if cluster is not None:
        return cluster.compute_now(args)
    batches = {}  # engine call -> the leaves it computes

    def collect(value):
        if isinstance(value, Collection):
            leaves = value._graph_leaves()
            batch = batches.setdefault(value._compute_graph_leaves, [])
            slot = _Slot(value, value._compute_graph_leaves, len(batch), len(leaves))
            batch.extend(leaves)
            return slot
        if type(value) in (list, tuple):
            return type(value)(collect(v) for v in value)
        if type(value) is dict:
            return {k: collect(v) for k, v in value.items()}
        return value

    templates = [collect(a) for a in args]
    values = {run: run(leaves, _scheduler.current()) for run, leaves in batches.items()}

    def fill(template):
        if isinstance(template, _Slot):
            batch = values[template.batch]
            return template.collection._from_leaf_values(batch[template.start:template.start + template.count])
        if type(template) in (list, tuple):
            return type(template)(fill(v) for v in template)
        if type(template) is dict:
            return {k: fill(v) for k, v in template.items()}
        return template

    try:
        return tuple(fill(t) for t in templates)
    finally:
        # collect and fill refer to themselves through their closure cells; clearing the cells
        # breaks that cycle, so the engine handles in `batches` (and the results they keep)
        # are released now rather than at the next garbage collection
        del collect, fill


def persist(*args, **kwargs):
    """Computes lazy objects and keeps their results in the scheduler; returns equivalent lazy
    objects that read the kept results (other arguments are returned as they are)."""
    cluster = _scheduler.cluster()
    if cluster is not None:
        return cluster.persist_now(args)
    out = list(args)
    groups = {}
    for position, value in enumerate(args):
        if isinstance(value, Collection):
            groups.setdefault(type(value)._persist_all, []).append(position)
    for persist_all, positions in groups.items():
        for position, result in zip(positions, persist_all([args[p] for p in positions])):
            out[position] = result
    return tuple(out)


def tokenize(*args, **kwargs) -> str:
    """A deterministic hex token of the arguments (their pickled bytes); a random one for
    values that cannot be pickled."""
    try:
        payload = pickle.dumps((args, sorted(kwargs.items())), protocol=5)
    except Exception:
        return uuid.uuid4().hex
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


def visualize(*objects, filename="mydask", format="png"):
    """Draws the task graph of lazy objects with graphviz and writes it to ``filename.format``;
    returns the file's path."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("visualize needs the graphviz package: pip install graphviz "
                          "(and Debian's graphviz for the dot program)") from None
    graph = graphviz.Digraph(format=format)
    seen = set()
    for obj in objects:
        if not isinstance(obj, Collection):
            continue
        for key, label, dependencies in obj._visual_nodes():
            if key in seen:
                continue
            seen.add(key)
            graph.node(key, label=label, shape="ellipse")
            for dependency in dependencies:
                graph.edge(dependency, key)
    return graph.render(filename=filename, cleanup=True)


def parse_bytes(value, argument="size") -> int:
    """Bytes in a size argument (``"64MiB"``, ``"300 MB"``, ``3e8``, ...) as Dask reads them; a
    ValueError naming `argument` and the accepted forms otherwise."""
    return _core.parse_byte_size(value, argument)
