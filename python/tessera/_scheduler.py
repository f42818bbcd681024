"""The scheduler computations run on: the process default (every core, half of RAM before
spilling), or the one the most recent ``Client`` made, as Dask's default-client rule. A thread
can run on another one for a while (``using``), as a Client's own calls do. A client of a Dask
cluster, when it is the default, takes every computation (``cluster``)."""

from __future__ import annotations

import contextlib
import threading

_current = None
_cluster = None
_local = threading.local()


def cluster():
    """The default client of a Dask cluster (None: computations run in this process)."""
    if getattr(_local, "handle", None) is not None or getattr(_local, "local", False):
        return None
    return _cluster


def set_cluster(client):
    global _cluster
    previous, _cluster = _cluster, client
    return previous


def current():
    """The handle computations use now (None = the engine's default scheduler)."""
    override = getattr(_local, "handle", None)
    return override if override is not None else _current


def set_current(handle):
    global _current
    previous, _current = _current, handle
    return previous


@contextlib.contextmanager
def using_local():
    """Runs this thread's computations in this process (on the engine's default scheduler)
    inside the block, whatever client is the default."""
    previous = getattr(_local, "local", False)
    _local.local = True
    try:
        yield
    finally:
        _local.local = previous


@contextlib.contextmanager
def using(handle):
    """Runs this thread's computations on `handle` inside the block."""
    previous = getattr(_local, "handle", None)
    _local.handle = handle
    try:
        yield
    finally:
        _local.handle = previous
