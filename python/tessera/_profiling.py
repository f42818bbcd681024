"""Python frames for the dashboard's profile: the engine's sampler sees only the interpreter's C
frames of a Python task, so while a dashboard or report records, a Python thread samples
``sys._current_frames()`` of the threads running Python tasks (100 times a second) and hands
their stacks to the engine's profiler under the task's prefix."""

from __future__ import annotations

import sys
import threading

from . import _core

# thread ident -> prefix of the Python task it runs (set around every Python task)
running: dict[int, str] = {}

_lock = threading.Lock()
_users = 0
_stop = threading.Event()
_thread = None


class task:
    """``with task(prefix):`` marks the current thread as running a Python task."""

    __slots__ = ("prefix", "ident")

    def __init__(self, prefix):
        self.prefix = prefix

    def __enter__(self):
        self.ident = threading.get_ident()
        running[self.ident] = self.prefix

    def __exit__(self, *exc):
        running.pop(self.ident, None)


def _frames(frame):
    names = []
    while frame is not None:
        code = frame.f_code
        names.append(f"{frame.f_globals.get('__name__', '?')}.{code.co_name}")
        frame = frame.f_back
    names.reverse()
    # the package's own wrappers around the user's function say nothing
    return [n for n in names if not n.startswith("tessera.")] or names


def _sample(period):
    while not _stop.wait(period):
        if not running or not _core.profiling_active():
            continue
        current = sys._current_frames()
        for ident, prefix in list(running.items()):
            frame = current.get(ident)
            if frame is not None:
                _core.profile_sample(prefix, ["python"] + _frames(frame))


def start(period=0.01):
    """Starts sampling (counted: every start needs a stop)."""
    global _users, _thread
    with _lock:
        _users += 1
        if _thread is None:
            _stop.clear()
            _thread = threading.Thread(target=_sample, args=(period,), name="tessera-python-profiler", daemon=True)
            _thread.start()


def stop():
    global _users, _thread
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _thread is not None:
            _stop.set()
            _thread.join()
            _thread = None
