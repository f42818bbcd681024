"""tessera.distributed: Dask's Client and futures, on the engine's local scheduler.

``Client()`` starts a scheduler with its own worker threads and memory limit and makes it the
default for every computation (as a Dask client does); ``submit`` / ``map`` start work at once
and return futures; futures passed as arguments become dependencies."""

from __future__ import annotations

import atexit
import os
import threading
import time

from . import _core, _profiling, _scheduler
from .delayed import Delayed, _call_node

__all__ = ["Client", "Future", "as_completed", "wait", "get_client"]

_clients = []


def _parse_memory(limit, n_workers):
    """Bytes for all workers (0 = the engine's default), from a per-worker limit as Dask takes it."""
    if limit is None or (isinstance(limit, str) and limit == "auto"):
        return 0
    return _core.parse_byte_size(limit, "memory_limit", share_of_memory=True) * n_workers


class Future:
    """A result being computed (or computed) by a Client's scheduler."""

    __slots__ = ("_f", "_client")

    def __init__(self, engine, client):
        self._f, self._client = engine, client

    @property
    def key(self) -> str:
        return self._f.key

    @property
    def status(self) -> str:
        return self._f.status

    def done(self) -> bool:
        return self._f.done()

    def result(self, timeout=None):
        """The value (waits); re-raises the task's exception, CancelledError, or TimeoutError."""
        return self._f.result(timeout)

    def exception(self, timeout=None):
        """The task's exception once it is done (None when it succeeded)."""
        try:
            self.result(timeout)
        except TimeoutError:
            raise
        except BaseException as error:  # the task's error is the answer here
            return error
        return None

    def cancel(self):
        self._f.cancel()

    def cancelled(self) -> bool:
        return self._f.status == "cancelled"

    def add_done_callback(self, fn):
        def wait():
            self.exception()
            fn(self)
        threading.Thread(target=wait, daemon=True).start()

    def __repr__(self):
        return f"<Future: {self.status}, key: {self.key}>"


class _CollectionFuture:
    """client.compute(collection): the collection computes on a helper thread."""

    def __init__(self, collection, handle):
        self._result = None
        self._error = None
        self._done = threading.Event()
        self.key = f"{type(collection).__name__.lower()}-compute"

        def run():
            try:
                with _scheduler.using(handle):
                    self._result = collection.compute()
            except BaseException as error:  # handed to whoever calls result()
                self._error = error
            finally:
                self._done.set()
        threading.Thread(target=run, daemon=True).start()

    @property
    def status(self):
        return "pending" if not self._done.is_set() else ("error" if self._error else "finished")

    def done(self):
        return self._done.is_set()

    def exception(self, timeout=None):
        if not self._done.wait(timeout):
            raise TimeoutError("timed out waiting for the result")
        return self._error

    def result(self, timeout=None):
        if not self._done.wait(timeout):
            raise TimeoutError("timed out waiting for the result")
        if self._error is not None:
            raise self._error
        return self._result

    def __repr__(self):
        return f"<Future: {self.status}, key: {self.key}>"


class Client:
    """A scheduler of ``n_workers * threads_per_worker`` threads (every core by default) holding
    up to ``memory_limit`` per worker (``'4GB'``; default half of RAM in all) before spilling."""

    def __init__(self, address=None, n_workers=None, threads_per_worker=None, memory_limit="auto",
                 set_as_default=True, processes=False, spill_directory="", dashboard_address=":8787", **kwargs):
        if address is not None:
            raise NotImplementedError("connecting to a remote scheduler is not supported yet; "
                                      "Client() runs a local scheduler")
        cores = os.cpu_count() or 1
        if n_workers is None and threads_per_worker is None:
            n_workers, threads_per_worker = 1, cores
        elif n_workers is None:
            n_workers = max(1, cores // int(threads_per_worker))
        elif threads_per_worker is None:
            threads_per_worker = max(1, cores // int(n_workers))
        self.n_workers, self.threads_per_worker = int(n_workers), int(threads_per_worker)
        self._handle = _core.Scheduler.local(self.n_workers * self.threads_per_worker,
                                             _parse_memory(memory_limit, self.n_workers), spill_directory)
        self._dashboard = None
        if dashboard_address is not None:
            host, _, port = str(dashboard_address).rpartition(":")
            self._dashboard = _core.Dashboard(self._handle, host or "127.0.0.1", int(port or 8787))
            _profiling.start()
        self._previous = None
        self._closed = False
        self._default = False
        if set_as_default:
            self._previous = _scheduler.set_current(self._handle)
            self._default = True
        _clients.append(self)

    # -- futures ---------------------------------------------------------------------------------
    def submit(self, func, *args, key=None, workers=None, resources=None, retries=None, pure=True, priority=0,
               **kwargs) -> Future:
        """Starts func(*args, **kwargs) now; futures among the arguments are waited for first."""
        _no_placement(workers, resources, retries)
        node = _call_node(func, args, kwargs, pure, None, key=key)
        (future,) = _core.submit_nodes([node], self._handle, int(priority))
        return Future(future, self)

    def map(self, func, *iterables, key=None, workers=None, resources=None, retries=None, pure=True, priority=0,
            **kwargs) -> list:
        _no_placement(workers, resources, retries)
        keys = [None] * min(len(i) for i in iterables) if key is None or isinstance(key, str) else list(key)
        nodes = [_call_node(func, args, kwargs, pure, key if isinstance(key, str) else None, key=k)
                 for args, k in zip(zip(*iterables), keys)]
        return [Future(f, self) for f in _core.submit_nodes(nodes, self._handle, int(priority))]

    def gather(self, futures):
        """Results of futures (or of nested lists and dicts of them), in the same structure."""
        def gather_one(value):
            if isinstance(value, (Future, _CollectionFuture)):
                return value.result()
            if type(value) in (list, tuple):
                return type(value)(gather_one(v) for v in value)
            if type(value) is dict:
                return {k: gather_one(v) for k, v in value.items()}
            return value
        return gather_one(futures)

    def scatter(self, data):
        """Data placed in the scheduler's memory as futures (one per item of a list)."""
        if isinstance(data, list):
            return [self.submit(_identity, item, pure=False) for item in data]
        return self.submit(_identity, data, pure=False)

    def compute(self, collections, sync=False, priority=0):
        single = not isinstance(collections, (list, tuple))
        items = [collections] if single else list(collections)
        futures = []
        for item in items:
            if isinstance(item, Delayed):
                (f,) = _core.submit_nodes([item._node], self._handle, int(priority))
                futures.append(Future(f, self))
            else:
                futures.append(_CollectionFuture(item, self._handle))
        if sync:
            results = [f.result() for f in futures]
            return results[0] if single else results
        return futures[0] if single else futures

    def persist(self, collections):
        from .delayed import persist
        with _scheduler.using(self._handle):
            if isinstance(collections, (list, tuple)):
                return list(persist(*collections))
            return persist(collections)[0]

    # -- lifetime ----------------------------------------------------------------------------------
    @property
    def scheduler_info(self):
        return {"workers": self.n_workers, "threads_per_worker": self.threads_per_worker,
                **self._handle.stats()}

    @property
    def dashboard_link(self):
        """The live dashboard's address (None when started with dashboard_address=None)."""
        return None if self._dashboard is None else self._dashboard.link

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._dashboard is not None:
            self._dashboard.close()
            _profiling.stop()
        if self._default and _scheduler.current() is self._handle:
            _scheduler.set_current(self._previous)
        self._handle.close()
        if self in _clients:
            _clients.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        stats = self._handle.stats()
        memory = stats["memory_limit"] / 2**30
        state = "closed" if self._closed else "running"
        dashboard = f", dashboard={self.dashboard_link}" if self.dashboard_link else ""
        return (f"<Client: {state}, workers={self.n_workers}, "
                f"threads={self.n_workers * self.threads_per_worker}, memory={memory:.2f} GiB{dashboard}>")

    def _repr_html_(self):
        link = self.dashboard_link
        dashboard = f'<br>Dashboard: <a href="{link}" target="_blank">{link}</a>' if link else ""
        return f"<pre>{repr(self)}</pre>{dashboard}"


def _identity(x):
    return x


def _no_placement(workers, resources, retries):
    if workers is not None or resources is not None or retries is not None:
        raise NotImplementedError("workers=, resources= and retries= need the cluster scheduler; "
                                  "this Client runs on local threads")


@atexit.register
def _close_clients():
    # schedulers stop while the interpreter can still run their Python tasks to the end
    for client in list(_clients):
        client.close()


def get_client():
    if not _clients:
        raise ValueError("no Client is running; create one with tessera.distributed.Client()")
    return _clients[-1]


class as_completed:
    """Iterates over futures in the order they finish (``with_results=True`` yields
    ``(future, result)`` pairs); more futures can be added while iterating."""

    def __init__(self, futures=(), with_results=False):
        self._queue = _core.CompletionQueue()
        self._futures = []
        self._with_results = with_results
        for f in futures:
            self.add(f)

    def add(self, future):
        if not isinstance(future, Future):
            raise TypeError("as_completed takes futures of submit() and map(); call result() on what "
                            "client.compute() returns for a collection")
        self._futures.append(future)
        self._queue.add(len(self._futures) - 1, future._f)

    def __iter__(self):
        return self

    def __next__(self):
        position = self._queue.next()
        if position < 0:
            raise StopIteration
        future = self._futures[position]
        return (future, future.result()) if self._with_results else future


def wait(futures, timeout=None):
    """Waits until every future is done (TimeoutError after `timeout` seconds in all); returns
    (done, not_done) sets of futures."""
    items = list(futures)
    deadline = None if timeout is None else time.monotonic() + timeout
    for f in items:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        f.exception(remaining)  # a failed future is done too
    done = {f for f in items if f.done()}
    return done, set(items) - done
