"""Progress of computations, drawn from the scheduler's event stream."""

from __future__ import annotations

import contextlib
import sys
import threading
import time

from . import _core, _profiling, _scheduler


class ProgressBar:
    """``with ProgressBar(): df.compute()``: a text bar of finished / announced tasks, redrawn
    in place every ``dt`` seconds (in terminals and notebooks)."""

    def __init__(self, minimum=0.0, width=40, dt=0.1, out=None):
        self.minimum, self.width, self.dt = minimum, width, dt
        self._out = out
        self._counter = None
        self._thread = None
        self._stop = threading.Event()
        self._start = 0.0
        self.last_fraction = 0.0

    def __enter__(self):
        self._counter = _core.ProgressCounter(_scheduler.current())
        self._start = time.perf_counter()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        # the event stream drains on its own thread: after a successful computation, wait
        # (briefly) for its last "finished" events so the final bar is complete
        deadline = time.perf_counter() + 1.0
        while exc[0] is None and self._counter.finished < self._counter.total and time.perf_counter() < deadline:
            time.sleep(0.005)
        self._draw(final=True)
        self._counter.close()

    def _run(self):
        while not self._stop.wait(self.dt):
            self._draw(final=False)

    def _draw(self, final):
        elapsed = time.perf_counter() - self._start
        if elapsed < self.minimum:
            return
        total, finished = self._counter.total, self._counter.finished
        fraction = finished / total if total else (1.0 if final else 0.0)
        self.last_fraction = fraction
        filled = int(round(self.width * fraction))
        bar = "#" * filled + " " * (self.width - filled)
        out = self._out or sys.stdout
        out.write(f"\r[{bar}] | {fraction * 100:3.0f}% Completed | {elapsed:.1f}s")
        if final:
            out.write("\n")
        out.flush()


@contextlib.contextmanager
def performance_report(filename="dask-report.html"):
    """``with performance_report("report.html"): ...``: records what the scheduler runs inside
    the block (task stream, progress, memory, profile) and writes one self-contained HTML file,
    viewable offline."""
    report = _core.PerformanceReport(_scheduler.current(), str(filename))
    _profiling.start()
    try:
        yield report
    finally:
        _profiling.stop()
        report.write()
