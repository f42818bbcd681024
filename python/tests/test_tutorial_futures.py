"""The Dask tutorial's futures lesson (dask-tutorial 05_futures, with the submit loop, tree
reduction and as_completed sections of its earlier edition), run with tessera's Client in place
of dask.distributed's, with shorter sleeps. Every result is compared with plain Python."""

import io
from time import sleep

import pytest

from tessera import delayed
from tessera.distributed import Client, as_completed, progress, wait


def inc(x):
    sleep(0.01)
    return x + 1


def double(x):
    sleep(0.02)
    return 2 * x


def add(x, y):
    sleep(0.01)
    return x + y


@pytest.fixture(scope="module")
def client():
    client = Client(n_workers=4, dashboard_address="127.0.0.1:0")
    yield client
    client.close()


def test_basics_submit_result_and_progress(client):
    assert "workers=4" in repr(client)
    future = client.submit(inc, 1)  # returns at once with a pending future
    assert repr(future).startswith("<Future: ") and future.key.startswith("inc-")
    assert future.result() == inc(1)
    assert "finished" in repr(future)
    out = io.StringIO()
    progress(future, notebook=False, out=out)
    assert "100% Completed" in out.getvalue()


def test_client_compute_of_delayed(client):
    x = delayed(inc)(1)
    y = delayed(inc)(2)
    z = delayed(add)(x, y)
    future = client.compute(z)
    assert future.result() == add(inc(1), inc(2))


def test_submit_with_futures_as_arguments(client):
    future_x = client.submit(inc, 1)
    future_y = client.submit(inc, 2)
    future_z = client.submit(sum, [future_x, future_y])
    assert future_z.result() == sum([inc(1), inc(2)])


def test_sporadically_failing_tasks_retry_and_retries(client):
    attempts = {}

    def flaky_inc(i):
        # fails the first call for 3 and 5, as random() < 0.2 would now and then
        attempts[i] = attempts.get(i, 0) + 1
        if i in (3, 5) and attempts[i] == 1:
            raise ValueError("You hit the error!")
        return i + 1

    futures = client.map(flaky_inc, range(10))
    wait(futures)
    assert [f.status for f in futures] == ["error" if i in (3, 5) else "finished" for i in range(10)]
    futures[5].retry()
    assert futures[5].result() == 6
    assert [f.status for f in futures] == ["error" if i == 3 else "finished" for i in range(10)]

    attempts.clear()

    def flakier_inc(i):
        attempts[i] = attempts.get(i, 0) + 1
        if attempts[i] <= 2:
            raise ValueError("You hit the error!")
        return i + 1

    futures = client.map(flakier_inc, range(10), retries=5, pure=False)
    future_z = client.submit(sum, futures)
    assert future_z.result() == sum(i + 1 for i in range(10))


def test_submit_loop_scale_tree_reduction_and_as_completed(client):
    zs = []
    for i in range(256):
        x = client.submit(inc, i)     # x = inc(i)
        y = client.submit(double, x)  # y = double(x)
        z = client.submit(add, x, y)  # z = add(x, y)
        zs.append(z)
    expected = [add(inc(i), double(inc(i))) for i in range(256)]
    total = client.submit(sum, zs)
    client.cluster.scale(10)
    assert len(client.cluster.workers) == 10
    assert total.result() == sum(expected)

    # tree reduction
    L = zs
    while len(L) > 1:
        new_L = []
        for i in range(0, len(L), 2):
            new_L.append(client.submit(add, L[i], L[i + 1]))  # add neighbours
        L = new_L
    assert L[0].result() == sum(expected)

    # as_completed: add results pairwise as they finish
    zs = client.map(inc, zs)
    seq = as_completed(zs)
    while seq.count() > 1:
        a = next(seq)
        b = next(seq)
        new = client.submit(add, a, b, priority=1)  # add them together
        seq.add(new)
    assert next(seq).result() == sum(e + 1 for e in expected)
    client.cluster.scale(4)
