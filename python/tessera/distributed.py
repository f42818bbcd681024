"""tessera.distributed: Dask's Client and futures, on the engine's local scheduler or on a Dask
cluster.

``Client()`` starts a LocalCluster (worker threads of this process with a memory limit) and
makes it the default for every computation (as a Dask client does); ``submit`` / ``map`` start
work at once and return futures; futures passed as arguments become dependencies. Every wait
(``result``, ``gather``, ``wait``, ``as_completed``) answers Ctrl-C at once: it raises
KeyboardInterrupt and cancels the futures it was waiting for.

``Client("tcp://scheduler:8786")``, ``Client(cluster)`` (any Dask cluster object: LocalCluster,
KubeCluster, SLURMCluster, ...), ``Client(n_workers=4, processes=True)`` or
``Client(distributed.Client(...))`` run on Dask's ``distributed`` instead (``pip install
'tessera[distributed]'``): see tessera._dask_cluster."""

from __future__ import annotations

import atexit
import collections
import inspect
import sys
import threading
import time
import weakref
from concurrent.futures import CancelledError

from . import _core, _scheduler
from ._cluster import LocalCluster
from ._futures_progress import progress
from .delayed import Delayed, _call_node

__all__ = ["Client", "Future", "LocalCluster", "as_completed", "wait", "get_client", "get_task_stream",
           "progress", "FIRST_COMPLETED", "ALL_COMPLETED"]

FIRST_COMPLETED = "FIRST_COMPLETED"
ALL_COMPLETED = "ALL_COMPLETED"

_clients = []


class Future:
    """A result being computed (or computed) by a Client's scheduler."""

    __slots__ = ("_handle", "_key", "_client", "_priority", "_retries", "__weakref__")

    def __init__(self, engine, client, priority=0, retries=0):
        self._handle, self._key, self._client = engine, engine.key, client
        self._priority, self._retries = priority, retries
        client._futures.add(self)

    @property
    def _f(self):
        """The engine's future; CancelledError once the client's restart released it."""
        if self._handle is None:
            raise CancelledError(f"future {self._key} was released by Client.restart(); submit the call again")
        return self._handle

    @property
    def key(self) -> str:
        return self._key

    @property
    def client(self):
        return self._client

    @property
    def status(self) -> str:
        return "cancelled" if self._handle is None else self._handle.status

    def done(self) -> bool:
        return self._handle is None or self._handle.done()

    def result(self, timeout=None):
        """The value (waits); re-raises the task's exception, CancelledError, or TimeoutError.
        Ctrl-C cancels the computation and raises KeyboardInterrupt."""
        return self._f.result(timeout)

    def exception(self, timeout=None):
        """The task's exception once it is done (None when it succeeded)."""
        try:
            self.result(timeout)
        except (TimeoutError, KeyboardInterrupt):
            raise
        except BaseException as error:  # the task's error is the answer here
            return error
        return None

    def cancel(self, reason=None, msg=None):
        if self._handle is not None:
            self._handle.cancel()

    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def retry(self):
        """Runs the task again if it failed or was cancelled (and its failed lazy inputs); a
        finished or running future is left as it is. A failed future among its arguments is
        retried on its own."""
        if self.status not in ("error", "cancelled"):
            return
        if self._handle is None:
            raise ValueError(f"future {self._key} was released by Client.restart(); submit the call again")
        self._client._check_open()
        node = self._handle.retry_node()
        (self._handle,) = _core.submit_nodes([node], self._client._handle, self._priority, self._retries,
                                             rerun_failed=True)

    def add_done_callback(self, fn):
        def wait():
            try:
                self.exception()
            except CancelledError:
                pass
            fn(self)
        threading.Thread(target=wait, daemon=True).start()

    def release(self):
        """Drops this future's hold on its result (Dask's release; `del future` does the same)."""
        self._handle = None

    def __repr__(self):
        return f"<Future: {self.status}, key: {self.key}>"


class _CollectionFuture:
    """client.compute(collection): the collection computes on a helper thread."""

    def __init__(self, collection, handle, retries=0):
        self._result = None
        self._error = None
        self._done = threading.Event()
        self.key = f"{type(collection).__name__.lower()}-compute"

        def run():
            try:
                with _scheduler.using(handle):
                    # retries: a failed computation runs again whole (its tasks are not kept
                    # apart as Delayed ones are); cancellation and interrupts are not retried
                    for attempt in range(retries + 1):
                        try:
                            self._result = collection.compute()
                            break
                        except Exception as error:
                            if attempt == retries or isinstance(error, CancelledError):
                                raise
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


def _check_retries(retries):
    if retries is None:
        return 0
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be a whole number >= 0 (how often a failing task runs again), got {retries!r}")
    return retries


def _cluster_futures_in(value, out=None):
    """The futures of a Dask cluster in `value` (nested lists, tuples, sets, dicts), those held
    by collections persisted there included."""
    out = [] if out is None else out
    module = sys.modules.get("distributed")
    if module is None:
        return out
    if isinstance(value, module.Future):
        out.append(value)
    elif isinstance(value, Delayed) and isinstance(value._call, module.Future):
        out.append(value._call)
    elif getattr(value, "_held_partitions", None):
        out.extend(holder.future for holder in value._held_partitions)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _cluster_futures_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _cluster_futures_in(v, out)
    return out


def _futures_in(value, out):
    """Appends the futures found in `value` (a future or nested lists, tuples, sets, dicts)."""
    if isinstance(value, (Future, _CollectionFuture)):
        out.append(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _futures_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _futures_in(v, out)
    return out


def _wait_all(futures, timeout=None):
    """Waits until every future is done (False after `timeout` seconds); Ctrl-C cancels them."""
    deadline = None if timeout is None else time.monotonic() + timeout
    engine = [f._handle for f in futures if isinstance(f, Future) and f._handle is not None]
    if engine and not _core.wait_futures(engine, timeout):
        return False
    for f in futures:
        if isinstance(f, _CollectionFuture):
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not f._done.wait(remaining):
                return False
    return True


def _wait_first(futures, timeout=None):
    """Waits until any future is done (False after `timeout` seconds); Ctrl-C cancels them."""
    deadline = None if timeout is None else time.monotonic() + timeout
    queue = _core.CompletionQueue()
    engine = [f for f in futures if isinstance(f, Future) and f._handle is not None]
    for i, f in enumerate(engine):
        queue.add(i, f._handle)
    while futures and not any(f.done() for f in futures):
        remaining = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
        if remaining <= 0:
            return False
        try:
            if queue.next(remaining) < 0:  # only collection futures: they finish on their threads
                time.sleep(remaining)
        except TimeoutError:
            pass
        except KeyboardInterrupt:
            for f in engine:
                f.cancel()
            raise
    return True


class Client:
    """Futures and computations on a LocalCluster: ``Client()`` starts one of
    ``n_workers * threads_per_worker`` threads (every core by default) holding up to
    ``memory_limit`` per worker (``'4GB'``; default half of RAM in all) before spilling;
    ``Client(cluster)`` uses a running LocalCluster."""

    def __new__(cls, address=None, *args, processes=False, **kwargs):
        if _wants_cluster(address, processes):
            from ._dask_cluster import ClusterClient
            return ClusterClient(address, *args, processes=processes, **kwargs)
        return super().__new__(cls)

    def __init__(self, address=None, n_workers=None, threads_per_worker=None, memory_limit="auto",
                 set_as_default=True, processes=False, spill_directory="", dashboard_address=":8787", **kwargs):
        if isinstance(address, LocalCluster):
            address._check_open()
            self._cluster, self._owns_cluster = address, False
        elif address is None:
            self._cluster = LocalCluster(n_workers, threads_per_worker, memory_limit, processes=processes,
                                         spill_directory=spill_directory, dashboard_address=dashboard_address)
            self._owns_cluster = True
        else:
            raise TypeError(f"Client(address) takes a scheduler address ('tcp://host:8786'), a cluster object "
                            f"or a distributed.Client; got {type(address).__name__}")
        self._handle = self._cluster._handle
        self._futures = weakref.WeakSet()
        # Every task run is recorded (as Dask's scheduler keeps its task stream) for get_task_stream.
        self._task_stream = _core.TaskStream(self._handle)
        self._previous = None
        self._closed = False
        self._default = False
        if set_as_default:
            self._previous = _scheduler.set_current(self._handle)
            self._default = True
        _clients.append(self)

    @property
    def cluster(self) -> LocalCluster:
        return self._cluster

    @property
    def n_workers(self) -> int:
        return len(self._cluster._workers)

    @property
    def threads_per_worker(self) -> int:
        return self._cluster._threads_per_worker

    @property
    def status(self) -> str:
        return "closed" if self._closed else "running"

    def _check_open(self):
        if self._closed:
            raise RuntimeError("this Client is closed; create a new Client()")
        self._cluster._check_open()

    # -- futures ---------------------------------------------------------------------------------
    def submit(self, func, *args, key=None, workers=None, resources=None, retries=None, pure=True, priority=0,
               **kwargs) -> Future:
        """Starts func(*args, **kwargs) now; futures among the arguments are waited for first. A
        task that raises runs again up to `retries` times before its error surfaces."""
        _no_placement(workers, resources)
        retries = _check_retries(retries)
        self._check_open()
        node, _ = _call_node(func, args, kwargs, pure, None, key=key)
        (future,) = _core.submit_nodes([node], self._handle, int(priority), retries)
        return Future(future, self, int(priority), retries)

    def map(self, func, *iterables, key=None, workers=None, resources=None, retries=None, pure=True, priority=0,
            **kwargs) -> list:
        """submit() for each item of the iterables; each future succeeds, fails or is cancelled on
        its own."""
        _no_placement(workers, resources)
        retries = _check_retries(retries)
        self._check_open()
        iterables = [list(i) for i in iterables]
        count = min(len(i) for i in iterables)
        keys = [None] * count if key is None or isinstance(key, str) else list(key)
        if len(keys) != count:
            raise ValueError(f"map got {len(keys)} keys for {count} calls; pass one key per call or a prefix string")
        futures = []
        for args, k in zip(zip(*iterables), keys):
            node, _ = _call_node(func, args, kwargs, pure, key if isinstance(key, str) else None, key=k)
            (future,) = _core.submit_nodes([node], self._handle, int(priority), retries)
            futures.append(Future(future, self, int(priority), retries))
        return futures

    def gather(self, futures, errors="raise"):
        """Results of futures (or of nested lists and dicts of them), in the same structure;
        ``errors="skip"`` leaves failed futures out of lists. Ctrl-C cancels the futures."""
        if errors not in ("raise", "skip"):
            raise ValueError(f"errors must be 'raise' or 'skip', got {errors!r}")
        _wait_all(_futures_in(futures, []))

        def failed(value):
            return isinstance(value, (Future, _CollectionFuture)) and value.status in ("error", "cancelled")

        def gather_one(value):
            if isinstance(value, (Future, _CollectionFuture)):
                return value.result()
            if type(value) in (list, tuple):
                kept = [v for v in value if not (errors == "skip" and failed(v))]
                return type(value)(gather_one(v) for v in kept)
            if type(value) is dict:
                return {k: gather_one(v) for k, v in value.items() if not (errors == "skip" and failed(v))}
            return value
        return gather_one(futures)

    def scatter(self, data):
        """Data placed in the scheduler's memory as futures (one per item of a list)."""
        if isinstance(data, list):
            return [self.submit(_identity, item, pure=False) for item in data]
        return self.submit(_identity, data, pure=False)

    def compute(self, collections, sync=False, priority=0, retries=None):
        """Futures of lazy objects (Delayed objects and DataFrame collections), computing now;
        ``sync=True`` waits and returns the results."""
        retries = _check_retries(retries)
        self._check_open()
        single = not isinstance(collections, (list, tuple))
        items = [collections] if single else list(collections)
        futures = []
        for item in items:
            if isinstance(item, Delayed):
                (f,) = _core.submit_nodes([item._node], self._handle, int(priority), retries)
                futures.append(Future(f, self, int(priority), retries))
            else:
                futures.append(_CollectionFuture(item, self._handle, retries))
        if sync:
            results = self.gather(futures)
            return results[0] if single else results
        return futures[0] if single else futures

    def persist(self, collections):
        from .delayed import persist
        self._check_open()
        with _scheduler.using(self._handle):
            if isinstance(collections, (list, tuple)):
                return list(persist(*collections))
            return persist(collections)[0]

    def cancel(self, futures):
        for f in _futures_in(futures, []):
            if isinstance(f, Future):
                f.cancel()

    def retry(self, futures):
        for f in _futures_in(futures, []):
            if isinstance(f, Future):
                f.retry()

    # -- workers -----------------------------------------------------------------------------------
    def run(self, function, *args, workers=None, wait=True, nanny=False, on_error="raise", **kwargs):
        """Calls ``function(*args, **kwargs)`` once per worker, outside the task scheduler, and
        returns ``{worker address: result}`` (a parameter named ``dask_worker`` gets the Worker).
        Workers share this process, so the calls run here, one after another."""
        if on_error not in ("raise", "return", "ignore"):
            raise ValueError(f"on_error must be 'raise', 'return' or 'ignore', got {on_error!r}")
        self._check_open()
        chosen = self._workers_named(workers)
        takes_worker = _accepts(function, "dask_worker")
        results = {}
        for worker in chosen:
            extra = {"dask_worker": worker} if takes_worker else {}
            try:
                results[worker.address] = function(*args, **kwargs, **extra)
            except Exception as error:
                if on_error == "raise":
                    raise
                if on_error == "return":
                    results[worker.address] = error
        return results

    def _workers_named(self, workers):
        known = {w.address: w for w in self._cluster._workers}
        if workers is None:
            return list(known.values())
        if isinstance(workers, str):
            workers = [workers]
        unknown = [w for w in workers if w not in known]
        if unknown:
            raise ValueError(f"unknown worker address(es) {unknown}; this cluster's workers are {sorted(known)}")
        return [known[w] for w in workers]

    def nthreads(self, workers=None):
        """{worker address: threads}."""
        return {w.address: w.nthreads for w in self._workers_named(workers)}

    ncores = nthreads

    def who_has(self, futures=None):
        """{key: worker addresses holding its value} for finished futures (all of this client's
        by default). Workers share one memory, so a value in memory is held by every worker."""
        chosen = list(self._futures) if futures is None else _futures_in(futures, [])
        addresses = [w.address for w in self._cluster._workers]
        return {f.key: (list(addresses) if f.status == "finished" else [])
                for f in chosen if isinstance(f, Future)}

    def has_what(self, workers=None):
        """{worker address: keys of this client's finished futures} (every worker holds every
        value: they share one memory)."""
        keys = sorted({f.key for f in list(self._futures) if f.status == "finished"})
        return {w.address: list(keys) for w in self._workers_named(workers)}

    def get_task_stream(self, start=None, stop=None, count=None, plot=False):
        """The tasks run since the client started (the latest 100,000), as Dask's records:
        dicts with key, status ('OK' / 'error' / 'cancelled'), worker, thread, nbytes and
        startstops ([{'action': 'compute', 'start', 'stop'}], epoch seconds). `start` / `stop`
        (epoch seconds, or a time before now such as ``"60s"`` or ``"500ms"``) select tasks that
        began in that window; `count`, the last so many."""
        if plot:
            raise NotImplementedError("plot=True is not supported; the dashboard's Task Stream page "
                                      f"({self.dashboard_link}) draws the task stream live")
        start, stop = _moment("start", start), _moment("stop", stop)
        if self._closed:
            return []
        offset = time.time() - _core.steady_now_ns() * 1e-9
        statuses = ("OK", "error", "cancelled")
        addresses = [w.address for w in self._cluster._workers]
        threads = self._cluster._threads_per_worker
        records = []
        for key, thread, status, start_ns, stop_ns, nbytes in self._task_stream.tasks():
            begin = start_ns * 1e-9 + offset
            if (start is not None and begin < start) or (stop is not None and begin > stop):
                continue
            worker = addresses[min(thread // threads, len(addresses) - 1)] if thread >= 0 else None
            records.append({"key": key, "status": statuses[status], "worker": worker, "thread": thread,
                            "nbytes": nbytes,
                            "startstops": [{"action": "compute", "start": begin, "stop": stop_ns * 1e-9 + offset}]})
        return records[-count:] if count else records

    # -- lifetime ----------------------------------------------------------------------------------
    def restart(self, timeout=None, wait_for_workers=True):
        """Cancels every running computation and releases this client's futures (they become
        'cancelled'), as restarting Dask's workers does. Tasks that are
        running Python code finish in the background; their results are dropped. Persisted
        collections keep their data."""
        self._check_open()
        self._handle.cancel_all()
        for future in list(self._futures):
            future.release()

    def close(self, timeout=None):
        """Closes the client, and the cluster if the client started it."""
        if self._closed:
            return
        self._closed = True
        if self._default and _scheduler.current() is self._handle:
            _scheduler.set_current(self._previous)
        self._task_stream.close()
        if self._owns_cluster:
            self._cluster.close()
        if self in _clients:
            _clients.remove(self)

    def shutdown(self):
        """Closes the client and its cluster (also a cluster it did not start)."""
        cluster = self._cluster
        self.close()
        cluster.close()

    @property
    def scheduler_info(self):
        return {"workers": self.n_workers, "threads_per_worker": self.threads_per_worker,
                **self._handle.stats()}

    @property
    def dashboard_link(self):
        """The live dashboard's address (None when started with dashboard_address=None)."""
        return self._cluster.dashboard_link

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self._closed:
            return "<Client: closed>"
        stats = self._handle.stats()
        memory = stats["memory_limit"] / 2**30
        dashboard = f", dashboard={self.dashboard_link}" if self.dashboard_link else ""
        return (f"<Client: running, workers={self.n_workers}, "
                f"threads={self.n_workers * self.threads_per_worker}, memory={memory:.2f} GiB{dashboard}>")

    def _repr_html_(self):
        link = self.dashboard_link
        dashboard = f'<br>Dashboard: <a href="{link}" target="_blank">{link}</a>' if link else ""
        return f"<pre>{repr(self)}</pre>{dashboard}"


def _identity(x):
    return x


def _wants_cluster(address, processes) -> bool:
    """Whether Client(...) connects to (or starts) a Dask cluster: an address, a cluster object
    (anything with ``.scheduler_address``) other than tessera's LocalCluster, a
    ``distributed.Client``, or worker processes (``processes=True``)."""
    if address is None:
        return bool(processes)
    if isinstance(address, LocalCluster):
        return False
    if isinstance(address, str) or hasattr(address, "scheduler_address"):
        return True
    return _is_cluster_client(address)


def _is_cluster_client(value) -> bool:
    module = sys.modules.get("distributed")
    return module is not None and isinstance(value, module.Client)


def _cluster_futures(items) -> bool:
    """Whether `items` holds futures of a Dask cluster (tessera's waits hand those to Dask's)."""
    module = sys.modules.get("distributed")
    return module is not None and any(isinstance(f, module.Future) for f in items)


_SECONDS_PER_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _moment(name, value):
    """Epoch seconds from a number (itself) or a duration before now ("60s", "500 ms", "2m")."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).strip().lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz ")
    unit = text[len(number):].strip() or "s"
    try:
        return time.time() - float(number) * _SECONDS_PER_UNIT[unit]
    except (KeyError, ValueError):
        raise ValueError(f"{name} must be epoch seconds (time.time()) or a duration before now such as '60s', "
                         f"'500ms', '2m' or '1h'; got {value!r}") from None


def _accepts(function, name):
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


def _no_placement(workers, resources):
    if workers is not None or resources is not None:
        raise NotImplementedError("workers= and resources= need the cluster scheduler; this Client runs on "
                                  "local threads that share one memory")


@atexit.register
def _close_clients():
    # schedulers stop while the interpreter can still run their Python tasks to the end
    for client in list(_clients):
        client.close()


def get_client():
    """The client made last (of the in-process scheduler or of a Dask cluster)."""
    if not _clients:
        raise ValueError("no Client is running; create one with tessera.distributed.Client()")
    return _clients[-1]


class get_task_stream:
    """``with get_task_stream() as ts: ...``: ``ts.data`` holds the task records (as
    Client.get_task_stream gives them) of what ran inside the block."""

    def __init__(self, client=None, plot=False, filename="task-stream.html"):
        if plot:
            raise NotImplementedError("plot= is not supported; the dashboard's Task Stream page draws it live")
        self.client = client or get_client()
        self.data = []
        self._start = None

    def __enter__(self):
        self._start = time.time()
        return self

    def __exit__(self, *exc):
        self.data.extend(self.client.get_task_stream(start=self._start))


class as_completed:
    """Iterates over futures in the order they finish (``with_results=True`` yields
    ``(future, result)`` pairs; a failed future's error is raised unless ``raise_errors=False``,
    which yields the exception as its result); more futures can be added while iterating.
    ``timeout`` (seconds from the call) raises TimeoutError; Ctrl-C cancels the futures not
    handed out yet."""

    def __new__(cls, futures=None, with_results=False, raise_errors=True, *, timeout=None):
        if isinstance(futures, (list, tuple, set)) and _cluster_futures(futures):
            import distributed
            return distributed.as_completed(futures, with_results=with_results, raise_errors=raise_errors,
                                            timeout=timeout)
        return super().__new__(cls)

    def __init__(self, futures=None, with_results=False, raise_errors=True, *, timeout=None):
        self._queue = _core.CompletionQueue()
        self._futures = []
        self._yielded = set()
        self._with_results = with_results
        self._raise_errors = raise_errors
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self.update(futures or ())

    def update(self, futures):
        """Adds several futures; each is handed out once it finishes."""
        for future in futures:
            self.add(future)

    def add(self, future):
        if not isinstance(future, Future):
            raise TypeError("as_completed takes futures of submit(), map() and compute() of Delayed objects; "
                            f"got {type(future).__name__}")
        self._futures.append(future)
        self._queue.add(len(self._futures) - 1, future._f)

    def count(self) -> int:
        """Futures not handed out yet (computing, or finished and waiting to be taken)."""
        return self._queue.count()

    def is_empty(self) -> bool:
        return self.count() == 0

    def __iter__(self):
        return self

    def __next__(self):
        remaining = None if self._deadline is None else max(0.0, self._deadline - time.monotonic())
        try:
            position = self._queue.next(remaining)
        except KeyboardInterrupt:
            for i, f in enumerate(self._futures):
                if i not in self._yielded:
                    f.cancel()
            raise
        if position < 0:
            raise StopIteration
        self._yielded.add(position)
        future = self._futures[position]
        if not self._with_results:
            return future
        try:
            return future, future.result()
        except Exception as error:
            if self._raise_errors:
                raise
            return future, error

    next = __next__

    def __repr__(self):
        return f"<as_completed: remaining={self.count()}>"


DoneAndNotDoneFutures = collections.namedtuple("DoneAndNotDoneFutures", ["done", "not_done"])


def wait(fs, timeout=None, return_when=ALL_COMPLETED):
    """Waits until every future is done (``return_when="FIRST_COMPLETED"``: any one); returns
    (done, not_done) sets. TimeoutError after `timeout` seconds; Ctrl-C cancels the futures."""
    if return_when not in (ALL_COMPLETED, FIRST_COMPLETED):
        raise ValueError(f"return_when must be 'ALL_COMPLETED' or 'FIRST_COMPLETED', got {return_when!r}")
    if _cluster_futures(_cluster_futures_in(fs)):
        import distributed
        return distributed.wait(fs, timeout=timeout, return_when=return_when)
    items = _futures_in(fs, [])
    finished = _wait_all(items, timeout) if return_when == ALL_COMPLETED else _wait_first(items, timeout)
    if not finished:
        raise TimeoutError(f"{sum(not f.done() for f in items)} of {len(items)} futures not done after {timeout} s")
    done = {f for f in items if f.done()}
    return DoneAndNotDoneFutures(done, set(items) - done)
