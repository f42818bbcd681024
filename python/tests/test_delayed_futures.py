"""delayed, compute/persist, Client, futures and as_completed, with real Python functions."""

import html
import operator
import re
import threading
import time
from concurrent.futures import CancelledError

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera import delayed
from tessera.distributed import Client, as_completed, wait


def inc(x):
    return x + 1


def add(a, b):
    return a + b


def test_delayed_inc_add_is_lazy_until_compute():
    calls = []

    def traced_inc(x):
        calls.append(x)
        return x + 1

    x = delayed(traced_inc)(1)
    y = delayed(traced_inc)(2)
    z = delayed(add)(x, y)
    assert calls == []
    assert z.compute() == 5
    assert sorted(calls) == [1, 2]
    assert z.key.startswith("add-")


def test_decorator_forms_and_pure_keys():
    @delayed
    def double(v):
        return 2 * v

    @delayed(pure=True)
    def square(v):
        return v * v

    assert double(4).compute() == 8
    assert square(3).key == square(3).key
    assert square(3).key != square(4).key
    assert double(1).key != double(1).key  # impure by default, as Dask


def test_parallel_loop_and_tree_reduction():
    parts = [delayed(inc)(i) for i in range(64)]
    while len(parts) > 1:
        parts = [delayed(add)(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
                 for i in range(0, len(parts), 2)]
    assert parts[0].compute() == sum(range(1, 65))


def test_nested_containers_attributes_methods_operators_and_items():
    a = delayed(inc)(1)
    b = delayed(inc)(2)
    total = delayed(sum)([a, b, 10])
    assert total.compute() == 15
    mapping = delayed(lambda d: d["x"] + d["y"][0])({"x": a, "y": (b,)})
    assert mapping.compute() == 5
    frame = delayed(pd.DataFrame)({"v": [1, 2, 3]})
    assert frame.v.sum().compute() == 6  # attribute access and method call
    assert (a + b * 2 - 1).compute() == 7
    assert (10 - a).compute() == 8
    assert delayed([1, 2, 3])[1].compute() == 2
    first, second = delayed(lambda: (1, 2), nout=2)()
    assert (first.compute(), second.compute()) == (1, 2)


def test_compute_and_persist_share_work():
    calls = []

    def expensive(x):
        calls.append(x)
        return x * 10

    base = delayed(expensive, pure=True)(7)
    left, right = delayed(inc)(base), delayed(operator.neg)(base)
    assert tessera.compute(left, right) == (71, -70)
    assert calls == [7]  # the shared input ran once
    (persisted,) = tessera.persist(delayed(expensive)(8))
    calls.clear()
    assert delayed(inc)(persisted).compute() == 81
    assert persisted.compute() == 80
    assert calls == []


def test_compute_mixes_dataframes_and_delayed():
    pdf = pd.DataFrame({"x": np.arange(10.0)})
    df = dd.from_pandas(pdf, npartitions=3)
    total, mean, d = tessera.compute(df.x.sum(), df.x.mean(), delayed(inc)(1))
    assert (total, mean, d) == (45.0, 4.5, 2)
    frames = tessera.compute([df, df.x])
    pd.testing.assert_frame_equal(frames[0][0], pdf)


def test_hand_built_mean_over_files(tmp_path):
    paths = []
    for i in range(4):
        p = tmp_path / f"f{i}.csv"
        pd.DataFrame({"v": np.arange(i * 10, i * 10 + 10)}).to_csv(p, index=False)
        paths.append(str(p))
    sums = [delayed(lambda p: pd.read_csv(p).v.sum())(p) for p in paths]
    counts = [delayed(lambda p: len(pd.read_csv(p)))(p) for p in paths]
    mean = delayed(lambda s, c: sum(s) / sum(c))(sums, counts)
    assert mean.compute() == pytest.approx(np.arange(40).mean())


def test_exceptions_keep_their_type_and_name_the_task():
    def fail(x):
        raise ValueError(f"bad value {x}")

    with pytest.raises(ValueError, match="bad value 3") as info:
        delayed(inc)(delayed(fail)(3)).compute()
    assert any("in task" in note for note in getattr(info.value, "__notes__", []))
    assert delayed(inc)(1).compute() == 2  # the scheduler stays usable


def test_visualize_draws_with_graphviz(tmp_path):
    pytest.importorskip("graphviz", reason="the graphviz package draws; make test installs it")
    z = delayed(add)(delayed(inc)(1), 2)
    path = z.visualize(filename=str(tmp_path / "g"), format="svg")
    svg = open(path).read()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "inc" in svg and "add" in svg
    import tessera.dataframe as dd
    df = dd.from_pandas(pd.DataFrame({"x": range(10), "k": [0, 1] * 5}), npartitions=2)
    for obj in (df[df.x > 3], df.x + 1, df.x.sum(), df.groupby("k").x.mean()):
        drawn = open(obj.visualize(filename=str(tmp_path / "frame"), format="svg")).read()
        labels = [html.unescape(t).replace("\xa0", " ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", drawn)]
        steps = [line.strip() for line in obj.explain().splitlines() if line.strip() and not line.startswith("tasks:")]
        assert sorted(labels) == sorted(steps)


def test_client_submit_map_gather_and_dependencies():
    with Client(n_workers=1, threads_per_worker=2, memory_limit="1GB") as client:
        assert "threads=2" in repr(client)
        a = client.submit(inc, 10)
        b = client.submit(add, a, 5)
        assert b.result() == 16
        squares = client.map(lambda v: v * v, [1, 2, 3])
        assert client.gather(squares) == [1, 4, 9]
        assert client.gather({"a": a, "list": [b]}) == {"a": 11, "list": [16]}
        assert client.submit(inc, 1).key == client.submit(inc, 1).key  # pure by default
        assert client.compute(delayed(inc)(1)).result() == 2
        df = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0]}), npartitions=1)
        assert client.compute(df.x.sum()).result() == 3.0
        scattered = client.scatter([1, 2])
        assert client.submit(sum, scattered).result() == 3
        done, not_done = wait(squares)
        assert len(done) == 3 and not not_done


def test_as_completed_yields_in_finishing_order():
    with Client(n_workers=1, threads_per_worker=2) as client:
        release = threading.Event()
        slow = client.submit(lambda: (release.wait(10), "slow")[1], pure=False)
        fast = client.submit(lambda: "fast", pure=False)
        order = []
        for future in as_completed([slow, fast]):
            order.append(future.result())
            release.set()  # the slow task finishes only after the first result was handed out
        assert order == ["fast", "slow"]
        results = dict((f.key, r) for f, r in as_completed([slow, fast], with_results=True))
        assert sorted(results.values()) == ["fast", "slow"]


def test_cancel_and_priority():
    with Client(n_workers=1, threads_per_worker=1) as client:
        gate = threading.Event()
        blocker = client.submit(lambda: gate.wait(5), pure=False)
        waiting = client.submit(lambda: "never", pure=False)
        waiting.cancel()
        gate.set()
        assert blocker.result() is True
        with pytest.raises(CancelledError):
            waiting.result()
        assert waiting.cancelled()
        # with one thread busy, the higher priority runs first once it frees up
        gate2 = threading.Event()
        order = []
        hold = client.submit(lambda: gate2.wait(5), pure=False)
        low = client.submit(lambda: order.append("low"), pure=False, priority=-10)
        high = client.submit(lambda: order.append("high"), pure=False, priority=10)
        gate2.set()
        low.result(), high.result(), hold.result()
        assert order == ["high", "low"]


def test_future_exception_and_timeout():
    with Client(n_workers=1, threads_per_worker=1) as client:
        bad = client.submit(lambda: 1 / 0, pure=False)
        with pytest.raises(ZeroDivisionError):
            bad.result()
        assert isinstance(bad.exception(), ZeroDivisionError)
        slow = client.submit(lambda: time.sleep(0.5), pure=False)
        with pytest.raises(Exception, match="timed out"):
            slow.result(timeout=0.05)
        slow.result()


def test_python_tasks_run_in_parallel_when_they_release_the_gil():
    # Two tasks meet at a barrier: possible only when both run at once, on two threads, each
    # holding the GIL just while its Python code runs.
    barrier = threading.Barrier(2, timeout=20)

    def meet(i):
        barrier.wait()
        return i

    with Client(n_workers=1, threads_per_worker=2) as client:
        assert sorted(client.gather(client.map(meet, range(2), pure=False))) == [0, 1]


def test_client_is_the_default_while_open():
    from tessera import _scheduler
    before = _scheduler.current()
    client = Client(n_workers=1, threads_per_worker=1)
    assert _scheduler.current() is client._handle
    df = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), npartitions=2)
    assert df.x.sum().compute() == 6
    client.close()
    assert _scheduler.current() is before
