"""tessera on Dask's ``distributed``: a client of a Dask cluster, and tessera's lazy objects as
Dask task graphs.

``distributed`` places tasks on workers, moves data between them, spills, and recomputes what a
lost worker held; tessera contributes the tasks. A Delayed call becomes a task calling the
user's function (sent with cloudpickle, as Dask's are), keyed as it is locally, so the
dashboard groups tasks under the same prefixes. ``distributed`` is imported only when a cluster
client is made; the core package works without it."""

from __future__ import annotations

try:
    import dask
    import distributed
except ImportError as error:  # an extra, not a dependency of the core package
    raise ImportError("running on a Dask cluster needs Dask's distributed: pip install 'tessera[distributed]'"
                      ) from error

from . import _core, _scheduler
from .delayed import Delayed, _is_cluster_future, _rebuild

__all__ = ["ClusterClient"]


# -- Delayed objects as Dask tasks ---------------------------------------------------------------
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


class _NamingErrors:
    """A submitted function whose failure names the task's key (as the in-process scheduler's
    errors do); named and tokenized as the function itself, so keys keep its prefix."""

    def __init__(self, func):
        self.func = func
        self.__name__ = dask.utils.funcname(func)

    def __call__(self, *args, **kwargs):
        try:
            return self.func(*args, **kwargs)
        except Exception as error:
            key = getattr(distributed.worker.thread_state, "key", None)
            if key is not None:
                error.add_note(f"[in task {key}]")
            raise

    def __dask_tokenize__(self):
        return ("tessera-call", dask.base.tokenize(self.func))


def _argument(leaf, graph, stack):
    """How a dependency reaches a task: the key of a task in the graph, or a cluster future."""
    from dask._task_spec import TaskRef
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
    from dask._task_spec import DataNode, Task
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


# -- the client ----------------------------------------------------------------------------------
def _resolve(client, value):
    """Arguments of submit/map with tessera's Delayed objects turned into cluster futures."""
    if isinstance(value, Delayed):
        return value._call if _is_cluster_future(value._call) else client.compute(value)
    if type(value) in (list, tuple):
        return type(value)(_resolve(client, v) for v in value)
    if type(value) is dict:
        return {k: _resolve(client, v) for k, v in value.items()}
    return value


class ClusterClient:
    """tessera's Client on a Dask cluster: every ``distributed.Client`` method, with tessera's
    lazy objects (Delayed, DataFrame, Series, Scalar) accepted where Dask's are. While it is
    the default client, their ``compute()`` / ``persist()`` run on the cluster."""

    def __init__(self, address=None, n_workers=None, threads_per_worker=None, memory_limit="auto",
                 set_as_default=True, processes=False, dashboard_address=":8787", **kwargs):
        kwargs.pop("spill_directory", None)  # the workers' own setting (distributed's temporary-directory)
        self._cluster = None
        if isinstance(address, distributed.Client):
            self._dask, self._owns_client = address, False
        else:
            if address is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=n_workers, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                    processes=True, dashboard_address=dashboard_address)
                address = self._cluster
            self._dask = distributed.Client(address, set_as_default=set_as_default, **kwargs)
            self._owns_client = True
        self._default = bool(set_as_default)
        self._previous = _scheduler.set_cluster(self) if self._default else None
        from .distributed import _clients
        _clients.append(self)

    @property
    def dask_client(self) -> distributed.Client:
        """The ``distributed.Client`` underneath."""
        return self._dask

    @property
    def cluster(self):
        return self._cluster if self._cluster is not None else self._dask.cluster

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._dask, name)

    # -- futures -----------------------------------------------------------------------------
    def submit(self, func, *args, **kwargs):
        """Starts func(*args, **kwargs) on a worker now (Delayed arguments are computed there
        first); returns a ``distributed.Future``."""
        return self._dask.submit(_NamingErrors(func), *_resolve(self._dask, args), **_resolve(self._dask, kwargs))

    def map(self, func, *iterables, **kwargs):
        iterables = [_resolve(self._dask, list(i)) for i in iterables]
        return self._dask.map(_NamingErrors(func), *iterables, **kwargs)

    # -- collections -------------------------------------------------------------------------
    def compute(self, collections, sync=False, **kwargs):
        """Futures of lazy objects (tessera's or Dask's), computing on the cluster now;
        ``sync=True`` waits and returns the results."""
        return self._dask.compute(collections, sync=sync, **kwargs)

    def persist(self, collections, **kwargs):
        """Lazy objects whose results stay on the workers (as futures the objects hold)."""
        return self._dask.persist(collections, **kwargs)

    def compute_now(self, args):
        """tessera.compute(*args) on this cluster."""
        return dask.compute(*args, scheduler=self._dask)

    def persist_now(self, args):
        return dask.persist(*args, scheduler=self._dask)

    # -- lifetime ----------------------------------------------------------------------------
    def close(self, timeout=None):
        """Closes the client, and the cluster if the client started it."""
        from .distributed import _clients
        if self._default and _scheduler.cluster() is self:
            _scheduler.set_cluster(self._previous)
            self._default = False
        if self in _clients:
            _clients.remove(self)
        if self._owns_client:
            self._dask.close()
        if self._cluster is not None:
            self._cluster.close()

    def shutdown(self):
        """Closes the client and the scheduler and workers it is connected to."""
        self._dask.shutdown()
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return repr(self._dask).replace("<Client:", "<tessera Client:", 1)

    def _repr_html_(self):
        return self._dask._repr_html_()
