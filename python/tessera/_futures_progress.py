"""tessera.distributed.progress: progress of futures, as Dask draws it.

In a terminal the call blocks and redraws one text bar until every future is done; in a
notebook it returns at once with a bar per function (key prefix) that updates in place while
the cell's output stays on screen. Collections have no futures of their own: tessera's local
persist finishes before returning, so a persisted collection is complete already."""

from __future__ import annotations

import html
import sys
import threading
import time


def _futures_of(values):
    from .distributed import Future, _CollectionFuture, _futures_in
    found = []
    for value in values:
        _futures_in(value, found)
    return [f for f in found if isinstance(f, (Future, _CollectionFuture))]


def _in_notebook():
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _prefix(key):
    name = key if isinstance(key, str) else str(key[0])
    head, _, tail = name.rpartition("-")
    return head if head and len(tail) >= 8 else name


def progress(*futures, notebook=None, multi=True, complete=True, group_by="prefix", interval=0.1, out=None):
    """Shows how many of the futures (or futures in lists and dicts) are done: a text bar that
    blocks until all are (terminal), or a live bar per function returned at once (notebook;
    it must be the cell's last expression to show, as in Dask)."""
    from .distributed import _cluster_futures, _cluster_futures_in
    if _cluster_futures(_cluster_futures_in(futures)):
        import distributed
        return distributed.progress(*futures, notebook=notebook, multi=multi, complete=complete,
                                    group_by=group_by, interval=interval)
    found = _futures_of(futures)
    if notebook is None:
        notebook = _in_notebook()
    if notebook:
        return ProgressWidget(found, multi=multi, interval=interval)
    TextProgressBar(found, interval=interval, out=out).run()
    return None


class TextProgressBar:
    """``[####    ] | 50% Completed |  1.2s``, redrawn in place until every future is done."""

    def __init__(self, futures, width=40, interval=0.1, out=None):
        self.futures, self.width, self.interval = futures, width, interval
        self._out = out
        self.fraction = 0.0

    def run(self):
        start = time.perf_counter()
        while True:
            finished = sum(f.done() for f in self.futures)
            self._draw(finished, time.perf_counter() - start)
            if finished == len(self.futures):
                break
            time.sleep(self.interval)  # Ctrl-C stops watching; the futures keep running
        (self._out or sys.stdout).write("\n")

    def _draw(self, finished, elapsed):
        self.fraction = finished / len(self.futures) if self.futures else 1.0
        filled = int(round(self.width * self.fraction))
        out = self._out or sys.stdout
        out.write(f"\r[{'#' * filled}{' ' * (self.width - filled)}] | {self.fraction * 100:3.0f}% Completed | "
                  f"{elapsed:4.1f}s")
        out.flush()


class ProgressWidget:
    """A notebook bar per key prefix (or one with multi=False), updated in place by a background
    thread until every future is done."""

    def __init__(self, futures, multi=True, interval=0.1):
        self.futures, self.multi, self.interval = futures, multi, interval
        self._start = time.perf_counter()
        self._thread = None

    def counts(self):
        """{prefix: (done, total)} ('all' when multi=False), in first-seen order."""
        groups = {}
        for f in self.futures:
            done, total = groups.get(_prefix(f.key) if self.multi else "all", (0, 0))
            groups[_prefix(f.key) if self.multi else "all"] = (done + f.done(), total + 1)
        return groups

    def _repr_html_(self):
        rows = []
        for name, (done, total) in self.counts().items():
            share = done / total if total else 1.0
            colour = "#d62728" if any(f.status == "error" for f in self.futures
                                      if not self.multi or _prefix(f.key) == name) else "#1f77b4"
            rows.append(f"<tr><td style='text-align:left'>{html.escape(name)}</td>"
                        f"<td style='width:300px'><div style='background:#eee;width:300px'>"
                        f"<div style='background:{colour};width:{share * 100:.0f}%'>&nbsp;</div></div></td>"
                        f"<td>{done} / {total}</td></tr>")
        if not rows:
            rows.append("<tr><td>no futures</td><td></td><td>100%</td></tr>")
        elapsed = time.perf_counter() - self._start
        return f"<div><table>{''.join(rows)}</table><small>{elapsed:.1f}s</small></div>"

    def done(self):
        return all(f.done() for f in self.futures)

    def _ipython_display_(self):
        from IPython.display import HTML, display
        handle = display(HTML(self._repr_html_()), display_id=True)

        def update():
            while not self.done():
                time.sleep(self.interval)
                handle.update(HTML(self._repr_html_()))
            handle.update(HTML(self._repr_html_()))
        if not self.done():
            self._thread = threading.Thread(target=update, daemon=True)
            self._thread.start()
