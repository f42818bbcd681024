"""tessera's Client on Dask's ``distributed``: ``distributed`` places tasks on workers, moves
data between them, spills, and recomputes what a lost worker held; tessera's lazy objects give
it their tasks (see tessera._dask_graph). Imported only when a cluster client is made; the core
package works without ``distributed``."""

from __future__ import annotations

try:
    import dask
    import distributed
except ImportError as error:  # an extra, not a dependency of the core package
    raise ImportError("running on a Dask cluster needs Dask's distributed: pip install 'tessera[distributed]'"
                      ) from error

from . import _dask_graph, _scheduler
from .delayed import Delayed, _is_cluster_future

__all__ = ["ClusterClient"]


class TesseraWorkerPlugin(distributed.WorkerPlugin):
    """Given to a cluster's workers: unpickling it there imports tessera's Dask support, so every
    worker (also one joining later) reads tessera partitions sent to it."""

    idempotent = True


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
                 set_as_default=True, processes=False, dashboard_address=":8787", spill_directory="", **kwargs):
        if spill_directory and address is not None:
            raise ValueError("spill_directory= applies to workers this client starts; workers of a running "
                             "cluster spill where they were told (dask worker --local-directory DIR)")
        self._cluster = None
        if isinstance(address, distributed.Client):
            self._dask, self._owns_client = address, False
        else:
            if address is None:
                self._cluster = distributed.LocalCluster(
                    n_workers=n_workers, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                    processes=True, dashboard_address=dashboard_address, local_directory=spill_directory or None)
                address = self._cluster
            self._dask = distributed.Client(address, set_as_default=set_as_default, **kwargs)
            self._owns_client = True
        # every worker (also one joining later) can read tessera partitions sent to it
        self._dask.register_plugin(TesseraWorkerPlugin(), name="tessera")
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
        return self._dask.submit(_dask_graph.NamingErrors(func), *_resolve(self._dask, args), **_resolve(self._dask, kwargs))

    def map(self, func, *iterables, **kwargs):
        iterables = [_resolve(self._dask, list(i)) for i in iterables]
        return self._dask.map(_dask_graph.NamingErrors(func), *iterables, **kwargs)

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
