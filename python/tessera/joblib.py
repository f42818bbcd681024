"""joblib backend "tessera": joblib's batches (scikit-learn's ``n_jobs``) run as tessera tasks.

    import joblib, tessera
    with joblib.parallel_config(backend="tessera"):
        GridSearchCV(SVC(), grid, n_jobs=-1).fit(X, y)

``import tessera`` registers the backend when joblib is installed. Batches go to the running
``tessera.distributed.Client`` through its public API (submit / scatter / as_completed), or,
without a Client, to the scheduler computations use now (the process default). Large arguments
(NumPy arrays, pandas objects: X and y) that recur across the calls are placed in the scheduler
once per ``Parallel`` call and every later batch depends on that one value, rather than each
task carrying a copy. Tasks are
named after the batch's function (``fit-and-score-...``, ``parallel-build-trees-...``), so the
dashboard's task stream, progress and profile show them."""

from __future__ import annotations

import itertools
import threading
import uuid

import joblib
from joblib.parallel import AutoBatchingMixin, ParallelBackendBase, SequentialBackend, parallel_config

from . import _core, _scheduler
from .delayed import Delayed, _call_node

__all__ = ["TesseraBackend"]

# Arguments at least this large (bytes) are placed in the scheduler once per Parallel call.
_SCATTER_BYTES = 1_000


def _nbytes(value):
    """A quick size estimate: only arrays and pandas objects are worth placing once."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    memory_usage = getattr(value, "memory_usage", None)
    if callable(memory_usage) and type(value).__module__.startswith("pandas"):
        try:
            usage = memory_usage(deep=False)
            return int(usage.sum()) if hasattr(usage, "sum") else int(usage)
        except (TypeError, ValueError):
            return 0
    return 0


def _function_of(call):
    func = call[0]
    # joblib's and scikit-learn's delayed() wrap the function (functools.partial, _FuncWrapper)
    for attribute in ("function", "func", "__wrapped__"):
        inner = getattr(func, attribute, None)
        if callable(inner):
            func = inner
    return func


def task_prefix(calls):
    """The key prefix of a batch: its function's name in Dask's style (``_fit_and_score`` ->
    ``fit-and-score``); ``mixed-batch`` for a batch of different functions."""
    names = {getattr(_function_of(c), "__name__", type(_function_of(c)).__name__) for c in calls}
    if len(names) != 1:
        return "mixed-batch"
    name = names.pop().strip("_").replace("_", "-").replace("<", "").replace(">", "")
    return name or "joblib-batch"


class _Batch:
    """Runs a batch's calls inside a task; nested joblib calls run sequentially in the task (the
    batches of the outer call already occupy every thread)."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, calls):
        with parallel_config(backend=SequentialBackend(nesting_level=1)):
            return [func(*args, **kwargs) for func, args, kwargs in calls]


class _LocalRunner:
    """Tasks on the scheduler computations use now (no Client): engine futures."""

    def __init__(self):
        self._handle = _scheduler.current()

    def workers(self):
        handle = self._handle if self._handle is not None else _core.Scheduler.default()
        return handle.num_threads

    def scatter(self, value):
        node, _ = _call_node(_identity, (value,), {}, False, "scatter")
        (future,) = _core.submit_nodes([node], self._handle)
        return Delayed(_core.held_node(future)), future

    def submit(self, function, calls, key):
        node, _ = _call_node(function, (calls,), {}, False, function.__name__, key=key)
        (future,) = _core.submit_nodes([node], self._handle)
        return future

    def completions(self):
        return _EngineCompletions()


class _EngineCompletions:
    def __init__(self):
        self._queue = _core.CompletionQueue()
        self._futures = {}
        self._count = itertools.count()

    def add(self, future):
        position = next(self._count)
        self._futures[position] = future
        self._queue.add(position, future)

    def next(self, timeout):
        """The next finished future, or None when none finished within `timeout` seconds."""
        try:
            position = self._queue.next(timeout)
        except TimeoutError:
            return None
        return None if position < 0 else self._futures.pop(position)


class _ClientRunner:
    """Tasks on a Client's workers, through its public API only."""

    def __init__(self, client):
        self.client = client

    def workers(self):
        return sum(self.client.nthreads().values())

    def scatter(self, value):
        future = self.client.scatter(value)
        return future, future

    def submit(self, function, calls, key):
        return self.client.submit(function, calls, key=key, pure=False)

    def completions(self):
        return _ClientCompletions()


class _ClientCompletions:
    def __init__(self):
        from .distributed import as_completed
        self._as_completed = as_completed()

    def add(self, future):
        self._as_completed.add(future)

    def next(self, timeout):
        if self._as_completed.is_empty():
            threading.Event().wait(timeout)
            return None
        return next(self._as_completed)


def _identity(value):
    return value


class _Job:
    """What ``submit`` returns to joblib: the task's future and the batch's result."""

    __slots__ = ("future", "callback")

    def __init__(self, future, callback):
        self.future, self.callback = future, callback

    def get(self, timeout=None):
        return self.future.result(timeout)


class TesseraBackend(AutoBatchingMixin, ParallelBackendBase):
    """joblib backend running each batch of calls as one tessera task.

    ``client``: the tessera Client to run on (default: the running one, else the scheduler
    computations use now). ``scatter``: values to place in the scheduler for the whole
    ``parallel_config`` block (large arguments are placed once per Parallel call anyway)."""

    MIN_IDEAL_BATCH_DURATION = 0.2
    MAX_IDEAL_BATCH_DURATION = 1.0
    supports_retrieve_callback = True
    supports_inner_max_num_threads = False
    default_n_jobs = -1

    def __init__(self, client=None, scatter=None, **kwargs):
        super().__init__(**kwargs)
        if client is None:
            from .distributed import _clients
            client = _clients[-1] if _clients and _clients[-1]._handle is _scheduler.current() else None
        self._runner = _ClientRunner(client) if client is not None else _LocalRunner()
        if scatter is not None and not isinstance(scatter, (list, tuple)):
            raise TypeError(f"scatter= takes a list or tuple of values to place once, got {type(scatter).__name__}")
        self._kept = {id(v): (v, *self._runner.scatter(v)) for v in scatter or ()}
        self._call_values, self._seen = {}, {}
        self._pending = {}
        self._lock = threading.Lock()
        self._collector = None
        self._stop = None

    def __reduce__(self):
        return (TesseraBackend, ())

    # -- joblib's backend protocol ----------------------------------------------------------------
    def effective_n_jobs(self, n_jobs):
        if n_jobs == 0:
            raise ValueError("n_jobs == 0 has no meaning; use n_jobs=-1 for every thread of the scheduler")
        workers = self._runner.workers()
        if n_jobs is None or n_jobs < 0:
            return max(1, workers + 1 + n_jobs) if n_jobs is not None else workers
        return n_jobs

    def configure(self, n_jobs=1, parallel=None, **backend_kwargs):
        self.parallel = parallel
        return self.effective_n_jobs(n_jobs)

    def get_nested_backend(self):
        return SequentialBackend(nesting_level=(self.nesting_level or 0) + 1), None

    def start_call(self):
        self._call_values, self._seen = {}, {}
        self._completions = self._runner.completions()
        self._stop = threading.Event()
        self._collector = threading.Thread(target=self._collect, args=(self._completions, self._stop),
                                           name="tessera-joblib-results", daemon=True)
        self._collector.start()

    def stop_call(self):
        if self._stop is not None:
            self._stop.set()
            self._collector.join()
            self._collector = self._stop = None
        self._call_values, self._seen = {}, {}

    def submit(self, func, callback=None):
        calls = [(f, self._placed(args), dict(zip(kwargs, self._placed(kwargs.values()))))
                 for f, args, kwargs in func.items]
        prefix = task_prefix(func.items)
        batch = _Batch(prefix)
        future = self._runner.submit(batch, calls, f"{prefix}-{uuid.uuid4().hex}")
        job = _Job(future, callback)
        with self._lock:
            self._pending[id(future)] = job
        self._completions.add(future)
        return job

    def retrieve_result_callback(self, job):
        return job.future.result()

    def abort_everything(self, ensure_ready=True):
        with self._lock:
            jobs, self._pending = list(self._pending.values()), {}
        for job in jobs:
            job.future.cancel()

    # -- internals ---------------------------------------------------------------------------------
    def _placed(self, values):
        """The arguments, with large arrays / frames that recur in this Parallel call (X and y,
        not each fit's own index arrays) replaced by their one value in the scheduler."""
        out = []
        for value in values:
            kept = self._kept.get(id(value)) or self._call_values.get(id(value))
            if kept is not None and kept[0] is value:
                out.append(kept[1])
            elif _nbytes(value) >= _SCATTER_BYTES:
                if self._seen.get(id(value)) is value:
                    placed, future = self._runner.scatter(value)
                    self._call_values[id(value)] = (value, placed, future)
                    out.append(placed)
                else:
                    self._seen[id(value)] = value
                    out.append(value)
            else:
                out.append(value)
        return out

    def _collect(self, completions, stop):
        while not stop.is_set():
            future = completions.next(0.05)
            if future is None:
                continue
            with self._lock:
                job = self._pending.pop(id(future), None)
            if job is not None and job.callback is not None:
                job.callback(job)


def _register():
    joblib.register_parallel_backend("tessera", TesseraBackend)


_register()
