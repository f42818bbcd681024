"""The local cluster behind a Client: workers of this process sharing one scheduler.

A worker is ``threads_per_worker`` threads of the engine's local scheduler; every worker reads
and writes the same memory (results are never copied between workers), under one memory limit
fixed when the cluster starts. ``scale`` grows or shrinks the thread pool while results held
and computations running are kept."""

from __future__ import annotations

import atexit
import itertools
import operator
import os

from . import _core, _profiling


# What the engine takes for "no limit" (Dask's memory_limit=0 or None): more than any machine has.
_NO_LIMIT = 1 << 60


def _parse_memory(limit, n_workers):
    """Bytes for all workers from a per-worker limit as Dask takes it: "auto" is the engine's
    default (0: half of RAM in all), 0 or None no limit."""
    if isinstance(limit, str) and limit == "auto":
        return 0
    if limit is None:
        return _NO_LIMIT
    per_worker = _core.parse_byte_size(limit, "memory_limit", share_of_memory=True)
    return _NO_LIMIT if per_worker == 0 else per_worker * n_workers


# The most threads a cluster can scale to, unless it starts with more (the profiler tracks up to 256).
_MAX_THREADS = 256
_cluster_numbers = itertools.count(1)
_open_clusters = []


def _worker_layout(n_workers, threads_per_worker):
    """(n_workers, threads_per_worker) as Dask's LocalCluster fills them in: one worker of every
    core by default, else the given count splitting the cores."""
    cores = os.cpu_count() or 1
    if n_workers is None and threads_per_worker is None:
        return 1, cores
    if n_workers is None:
        threads = _positive("threads_per_worker", threads_per_worker)
        return max(1, cores // threads), threads
    workers = _positive("n_workers", n_workers)
    if threads_per_worker is None:
        return workers, max(1, cores // workers)
    return workers, _positive("threads_per_worker", threads_per_worker)


def _positive(name, value):
    try:
        number = operator.index(value)
    except TypeError:
        number = 0
    if isinstance(value, bool) or number < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return number


class Worker:
    """One worker of a LocalCluster (what ``client.run`` passes as ``dask_worker``)."""

    def __init__(self, cluster, index):
        self.name = index
        self.address = f"inproc://tessera/{os.getpid()}/{cluster._number}/{index}"
        self.nthreads = cluster._threads_per_worker
        self.memory_limit = cluster._memory_per_worker
        self._cluster = cluster

    @property
    def status(self):
        return "closed" if self._cluster.status == "closed" else "running"

    def __repr__(self):
        return f"<Worker '{self.address}', name: {self.name}, status: {self.status}, threads: {self.nthreads}>"


class LocalCluster:
    """``n_workers`` workers of ``threads_per_worker`` threads in this process, with up to
    ``memory_limit`` per worker (``'4GB'``; default: half of RAM in all) before spilling to
    ``spill_directory``, and a live dashboard on ``dashboard_address`` (None: none)."""

    def __init__(self, n_workers=None, threads_per_worker=None, memory_limit="auto", processes=False,
                 spill_directory="", dashboard_address=":8787", **kwargs):
        n_workers, self._threads_per_worker = _worker_layout(n_workers, threads_per_worker)
        threads = n_workers * self._threads_per_worker
        self._max_threads = max(threads, _MAX_THREADS)
        self._number = next(_cluster_numbers)
        memory = _parse_memory(memory_limit, n_workers)
        self._memory_per_worker = memory // n_workers
        self._handle = _core.Scheduler.local(threads, memory, spill_directory, max_threads=self._max_threads)
        self._dashboard = None
        if dashboard_address is not None:
            host, _, port = str(dashboard_address).rpartition(":")
            self._dashboard = _core.Dashboard(self._handle, host or "127.0.0.1", int(port or 8787))
            _profiling.start()
        self._workers = [Worker(self, i) for i in range(n_workers)]
        self.status = "running"
        _open_clusters.append(self)

    @property
    def workers(self) -> dict:
        """The running workers by name."""
        return {w.name: w for w in self._workers}

    @property
    def scheduler_address(self) -> str:
        return f"inproc://tessera/{os.getpid()}/{self._number}"

    @property
    def dashboard_link(self):
        """The live dashboard's address (None when started with dashboard_address=None)."""
        return None if self._dashboard is None else self._dashboard.link

    def scale(self, n=None, memory=None, cores=None):
        """Runs ``n`` workers from now on (or as many as ``cores`` threads need); computations
        running and results held are kept. The memory limit stays the one the cluster started
        with."""
        self._check_open()
        if memory is not None:
            raise NotImplementedError("scale(memory=...) is not supported: a local cluster keeps the memory "
                                      "limit it started with; pass n= or cores=")
        if n is None and cores is None:
            raise TypeError("scale() needs the number of workers n (or cores=)")
        if n is None:
            n = -(-_positive("cores", cores) // self._threads_per_worker)
        n = _positive("n", n)
        if n * self._threads_per_worker > self._max_threads:
            raise ValueError(f"scale({n}) needs {n * self._threads_per_worker} threads; this cluster runs at most "
                             f"{self._max_threads} ({self._max_threads // self._threads_per_worker} workers of "
                             f"{self._threads_per_worker} threads)")
        self._handle.set_num_threads(n * self._threads_per_worker)
        self._workers = self._workers[:n] + [Worker(self, i) for i in range(len(self._workers), n)]

    def _check_open(self):
        if self.status == "closed":
            raise RuntimeError("this LocalCluster is closed; start a new one")

    def close(self):
        """Stops the workers (running computations are cancelled) and the dashboard."""
        if self.status == "closed":
            return
        self.status = "closed"
        _open_clusters.remove(self)
        if self._dashboard is not None:
            self._dashboard.close()
            _profiling.stop()
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _summary(self):
        threads = len(self._workers) * self._threads_per_worker
        limit = self._handle.stats()["memory_limit"] if self.status == "running" else 0
        memory = f"{limit / 2**30:.2f} GiB" if 0 < limit < _NO_LIMIT else "no limit"
        return len(self._workers), threads, memory

    def __repr__(self):
        workers, threads, memory = self._summary()
        dashboard = f", dashboard={self.dashboard_link}" if self.dashboard_link and self.status == "running" else ""
        return (f"LocalCluster('{self.scheduler_address}', status={self.status}, workers={workers}, threads={threads}, "
                f"memory={memory}{dashboard})")

    def _repr_html_(self):
        workers, threads, memory = self._summary()
        link = self.dashboard_link
        dashboard = f'<a href="{link}" target="_blank">{link}</a>' if link else "none"
        rows = [("Status", self.status), ("Workers", workers), ("Total threads", threads),
                ("Total memory", memory), ("Dashboard", dashboard)]
        cells = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
                        for k, v in rows)
        return f"<div><strong>LocalCluster</strong> <code>{self.scheduler_address}</code><table>{cells}</table></div>"


@atexit.register
def _close_clusters():
    # schedulers stop while the interpreter can still run their Python tasks to the end
    for cluster in list(_open_clusters):
        cluster.close()
