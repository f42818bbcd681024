"""The Client's life cycle and tools as a Dask user reaches for them: close / shutdown / context
manager, the local cluster (repr, scale), restart, retry and retries=, as_completed's count /
add / update, wait, run, who_has / has_what, the task stream and progress."""

import gc
import io
import os
import threading
import time
import weakref
from concurrent.futures import CancelledError

import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera import _scheduler, delayed
from tessera.distributed import (FIRST_COMPLETED, Client, LocalCluster, as_completed, get_task_stream, progress,
                                 wait)


def inc(x):
    return x + 1


def slow_inc(x, seconds=0.05):
    time.sleep(seconds)
    return x + 1


class Flaky:
    """A function that fails its first `failures` calls for each argument."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = {}
        self.lock = threading.Lock()

    def __call__(self, x):
        with self.lock:
            self.calls[x] = self.calls.get(x, 0) + 1
            attempt = self.calls[x]
        if attempt <= self.failures:
            raise ValueError(f"sporadic failure {attempt} for {x}")
        return x + 1


def client_for_tests(**kwargs):
    kwargs.setdefault("dashboard_address", None)
    return Client(**kwargs)


def test_close_context_manager_and_shutdown():
    before = _scheduler.current()
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        assert client.submit(inc, 1).result() == 2
        assert client.status == "running"
    assert client.status == "closed" and client.cluster.status == "closed"  # it started the cluster
    assert _scheduler.current() is before
    with pytest.raises(RuntimeError, match="Client is closed"):
        client.submit(inc, 1)
    assert "closed" in repr(client)
    client.close()  # closing twice is fine

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    first = Client(cluster)
    assert first.cluster is cluster
    first.close()
    assert cluster.status == "running"  # a client leaves a cluster it did not start running
    second = Client(cluster)
    assert second.gather(second.map(inc, range(3))) == [1, 2, 3]
    second.shutdown()
    assert cluster.status == "closed"
    with pytest.raises(RuntimeError, match="LocalCluster is closed"):
        Client(cluster)


def test_cluster_repr_and_scale_while_holding_results():
    with client_for_tests(n_workers=1, threads_per_worker=1) as client:
        cluster = client.cluster
        assert "workers=1, threads=1" in repr(cluster)
        assert "Workers" in cluster._repr_html_()
        held = client.submit(inc, 41)
        assert held.result() == 42

        cluster.scale(3)
        assert len(cluster.workers) == 3 and client.n_workers == 3
        assert "workers=3, threads=3" in repr(cluster)
        # three tasks meet at a barrier: only possible with three threads running at once
        barrier = threading.Barrier(3, timeout=20)

        def meet(i):
            barrier.wait()
            return i

        assert sorted(client.gather(client.map(meet, range(3), pure=False))) == [0, 1, 2]
        cluster.scale(1)
        assert len(client.nthreads()) == 1
        assert held.result() == 42  # results held across scaling
        assert client.gather(client.map(inc, range(20))) == [inc(i) for i in range(20)]
        with pytest.raises(ValueError, match="at most 256"):
            cluster.scale(1000)
        with pytest.raises(ValueError, match="n must be a whole number"):
            cluster.scale(0)


def test_restart_cancels_work_and_releases_futures():
    with client_for_tests(n_workers=1, threads_per_worker=1) as client:
        gate = threading.Event()
        finished = client.submit(inc, 1)
        assert finished.result() == 2
        running = client.submit(lambda: gate.wait(20), pure=False)
        queued = client.submit(inc, 5)
        client.restart()
        gate.set()
        for future in (finished, running, queued):
            assert future.status == "cancelled"
            with pytest.raises(CancelledError):
                future.result()
        with pytest.raises(CancelledError, match="restart"):
            client.submit(inc, finished)  # a released future cannot feed new work
        assert client.submit(inc, 10).result() == 11  # usable after restart
        with pytest.raises(ValueError, match="released by Client.restart"):
            finished.retry()


def test_map_futures_fail_and_retry_on_their_own():
    flaky = Flaky(failures=1)
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        futures = client.map(lambda x: flaky(x) if x in (2, 5) else x + 1, range(8), pure=False)
        wait(futures)
        statuses = [f.status for f in futures]
        assert statuses == ["error" if i in (2, 5) else "finished" for i in range(8)]
        assert isinstance(futures[5].exception(), ValueError)
        futures[5].retry()
        assert futures[5].result() == 6 and futures[5].status == "finished"
        assert futures[2].status == "error"  # only the retried future ran again
        futures[0].retry()  # a finished future is left as it is
        assert flaky.calls == {2: 1, 5: 2}
        # a dependent of a failed future fails with its error until the input is retried
        dependent = client.submit(inc, futures[2])
        with pytest.raises(ValueError, match="sporadic"):
            dependent.result()
        futures[2].retry()
        dependent.retry()
        assert dependent.result() == 4


def test_finished_futures_do_not_keep_their_inputs_alive():
    class Payload:
        pass

    with client_for_tests(n_workers=1, threads_per_worker=1) as client:
        x = client.submit(Payload, pure=False)
        payload = weakref.ref(x.result())
        y = client.submit(lambda p: 1, x)
        assert y.result() == 1
        del x
        deadline = time.monotonic() + 5  # worker threads drop their last references just after
        while payload() is not None and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.01)
        assert payload() is None  # y finished, so nothing needs x's value for a retry


def test_retries_rerun_failing_tasks_before_the_error_surfaces():
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        flaky = Flaky(failures=2)
        futures = client.map(flaky, range(6), retries=2, pure=False)
        assert client.gather(futures) == [inc(i) for i in range(6)]
        assert flaky.calls == {i: 3 for i in range(6)}

        flaky = Flaky(failures=2)
        future = client.submit(flaky, 10, retries=1, pure=False)
        with pytest.raises(ValueError, match="sporadic failure 2"):
            future.result()
        assert flaky.calls == {10: 2}

        flaky = Flaky(failures=3)
        assert client.compute(delayed(flaky)(7), retries=3).result() == 8
        assert flaky.calls == {7: 4}

        with pytest.raises(ValueError, match="retries must be"):
            client.submit(inc, 1, retries=-1)
        # A DataFrame computation that fails is computed again whole.
        pdf = pd.DataFrame({"x": [1, 2, 3, 4]})
        df = dd.from_pandas(pdf, npartitions=2)
        attempts = []

        def sometimes(partition):
            attempts.append(len(partition))
            if len(attempts) <= 2:
                raise ValueError("sporadic partition failure")
            return partition * 10

        flaky_frame = df.map_partitions(sometimes, meta=pdf.iloc[:0])
        assert client.compute(flaky_frame.x.sum(), retries=2).result() == pdf.x.sum() * 10
        attempts.clear()
        with pytest.raises(ValueError, match="sporadic partition failure"):
            client.compute(flaky_frame.x.sum(), retries=0).result()


def test_as_completed_count_add_update_and_results():
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        gate = threading.Event()
        a = client.submit(lambda: gate.wait(20) and "a", pure=False)
        seq = as_completed([a])
        assert seq.count() == 1
        seq.add(client.submit(inc, 1))
        seq.update([client.submit(inc, 2), client.submit(inc, 3)])
        assert seq.count() == 4
        first = next(seq)
        assert first.result() in (2, 3, 4) and seq.count() == 3
        gate.set()
        rest = sorted(str(f.result()) for f in seq)
        assert rest == sorted({"2", "3", "4", "a"} - {str(first.result())})
        assert seq.count() == 0 and seq.is_empty()

        bad = client.submit(lambda: 1 / 0, pure=False)
        good = client.submit(inc, 4)
        pairs = dict((f.key, r) for f, r in as_completed([bad, good], with_results=True, raise_errors=False))
        assert pairs[good.key] == 5 and isinstance(pairs[bad.key], ZeroDivisionError)
        with pytest.raises(ZeroDivisionError):
            list(as_completed([bad], with_results=True))

        never = threading.Event()
        blocked = client.submit(lambda: never.wait(20), pure=False)
        with pytest.raises(TimeoutError):
            next(as_completed([blocked], timeout=0.2))
        never.set()


def test_wait_first_completed_and_timeout():
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        gate = threading.Event()
        slow = client.submit(lambda: gate.wait(20), pure=False)
        fast = client.submit(inc, 1)
        done, not_done = wait([slow, fast], return_when=FIRST_COMPLETED)
        assert done == {fast} and not_done == {slow}
        with pytest.raises(TimeoutError):
            wait([slow], timeout=0.1)
        gate.set()
        done, not_done = wait([slow, fast])
        assert done == {slow, fast} and not not_done
        with pytest.raises(ValueError, match="return_when"):
            wait([fast], return_when="SOMETIMES")


def test_gather_skips_errors_on_request():
    with client_for_tests(n_workers=1, threads_per_worker=1) as client:
        futures = [client.submit(inc, 1), client.submit(lambda: 1 / 0, pure=False), client.submit(inc, 2)]
        with pytest.raises(ZeroDivisionError):
            client.gather(futures)
        assert client.gather(futures, errors="skip") == [2, 3]


def test_run_calls_the_function_once_per_worker():
    with client_for_tests(n_workers=3, threads_per_worker=1) as client:
        addresses = sorted(client.nthreads())
        assert len(addresses) == 3 and set(client.nthreads().values()) == {1}
        assert client.run(os.getpid) == {address: os.getpid() for address in addresses}
        assert client.run(lambda dask_worker: dask_worker.address) == {a: a for a in addresses}
        assert client.run(lambda x, y=0: x + y, 1, y=2, workers=[addresses[0]]) == {addresses[0]: 3}

        def fail():
            raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            client.run(fail)
        returned = client.run(fail, on_error="return")
        assert sorted(returned) == addresses and all(isinstance(e, KeyError) for e in returned.values())
        assert client.run(fail, on_error="ignore") == {}
        with pytest.raises(ValueError, match="unknown worker"):
            client.run(os.getpid, workers=["tcp://nowhere:1"])


def test_who_has_and_has_what():
    with client_for_tests(n_workers=2, threads_per_worker=1) as client:
        addresses = sorted(client.nthreads())
        x, y = client.map(inc, [1, 2])
        wait([x, y])
        gate = threading.Event()
        pending = client.submit(lambda: gate.wait(20), pure=False)
        assert client.who_has([x, y]) == {x.key: addresses, y.key: addresses}
        assert client.who_has([pending]) == {pending.key: []}
        assert client.has_what() == {a: sorted([x.key, y.key]) for a in addresses}
        gate.set()
        pending.result()
        assert pending.key in client.has_what(workers=addresses[0])[addresses[0]]


def test_task_stream_records_tasks_like_dask():
    with client_for_tests(n_workers=2, threads_per_worker=1) as client:
        addresses = set(client.nthreads())
        start = time.time()
        with get_task_stream(client) as ts:
            futures = client.map(slow_inc, range(4), pure=False)
            client.gather(futures)
            bad = client.submit(lambda: 1 / 0, pure=False)
            wait([bad])
        stop = time.time()
        records = {r["key"]: r for r in ts.data}
        assert set(records) == {f.key for f in futures} | {bad.key}
        for f in futures:
            record = records[f.key]
            assert record["status"] == "OK" and record["worker"] in addresses
            (span,) = record["startstops"]
            assert span["action"] == "compute"
            assert start - 0.5 <= span["start"] <= span["stop"] <= stop + 0.5
            assert span["stop"] - span["start"] >= 0.04  # the task slept 50 ms
        assert records[bad.key]["status"] == "error"
        assert len(client.get_task_stream(count=2)) == 2
        assert client.get_task_stream(start=time.time() + 60) == []
        assert {r["key"] for r in client.get_task_stream(start="1h")} >= set(records)
        assert client.get_task_stream(start=start, stop=start - 1) == []
        with pytest.raises(ValueError, match="duration before now"):
            client.get_task_stream(start="yesterday")


def test_progress_blocks_in_a_terminal_until_done():
    with client_for_tests(n_workers=1, threads_per_worker=2) as client:
        futures = client.map(slow_inc, range(6), pure=False)
        out = io.StringIO()
        progress(futures, notebook=False, out=out)
        assert all(f.done() for f in futures)
        assert out.getvalue().rstrip().endswith("s") and "100% Completed" in out.getvalue()
        out = io.StringIO()
        df = dd.from_pandas(pd.DataFrame({"x": [1, 2]}), npartitions=1).persist()
        progress(df, notebook=False, out=out)  # a persisted collection is complete already
        assert "100% Completed" in out.getvalue()

        widget = progress({"a": futures[:2], "b": [client.submit(inc, 1)]}, notebook=True)
        wait(widget.futures)
        assert widget.counts() == {"slow_inc": (2, 2), "inc": (1, 1)}
        assert "2 / 2" in widget._repr_html_()


def test_progress_updates_in_a_notebook(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import time\nfrom tessera.distributed import Client, progress, wait\n"
                                  "client = Client(n_workers=1, threads_per_worker=2, dashboard_address=None)\n"
                                  "def work(x):\n    time.sleep(0.3)\n    return x\n"
                                  "futures = client.map(work, range(4), pure=False)\nprogress(futures)"),
        nbformat.v4.new_code_cell("print(sum(f.done() for f in futures))\nwait(futures)\ntime.sleep(0.5)\n"
                                  "print(sum(client.gather(futures)))"),
    ]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    html = [o for o in notebook.cells[0].outputs if "text/html" in o.get("data", {})]
    # the bar was updated in place until all four were done
    assert len(html) == 1 and "work" in html[0]["data"]["text/html"] and "4 / 4" in html[0]["data"]["text/html"]
    done_when_returned, total = "".join(o.get("text", "") for o in notebook.cells[1].outputs).split()
    assert int(done_when_returned) < 4  # progress returned at once: work (2 x 0.6 s) was still running
    assert total == "6"
