"""tessera.delayed and futures on a Dask cluster: a distributed.LocalCluster of two worker
processes, reached through tessera.distributed.Client as users do."""

import operator
import os
import signal
import sys
import time

import pytest

distributed = pytest.importorskip("distributed")
import cloudpickle  # noqa: E402  (distributed's dependency)
import dask  # noqa: E402

import tessera  # noqa: E402
from tessera.distributed import Client, as_completed, progress, wait  # noqa: E402

# the workers cannot import this test module: its functions travel by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as local:
        yield local


@pytest.fixture
def client(cluster):
    c = Client(cluster)
    yield c
    c.close()


def worker_pid(_=None):
    return os.getpid()


def slow_square(x, seconds=0.0):
    time.sleep(seconds)
    return x * x


def test_client_takes_an_address_a_cluster_object_or_a_dask_client(cluster):
    by_object = Client(cluster)
    assert by_object.scheduler.address == cluster.scheduler_address
    by_object.close()
    with Client(cluster.scheduler_address) as by_address:
        assert set(by_address.nthreads().values()) == {1} and len(by_address.nthreads()) == 2
    dask_client = distributed.Client(cluster, set_as_default=False)
    wrapped = Client(dask_client)
    assert wrapped.dask_client is dask_client
    wrapped.close()
    assert dask_client.status == "running"  # a client it did not make stays open
    dask_client.close()


def test_client_without_arguments_stays_in_process():
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as local:
        assert isinstance(local, Client)
        assert local.cluster.scheduler_address.startswith("inproc://")
        assert tessera.delayed(worker_pid)().compute() == os.getpid()


def test_processes_true_starts_a_dask_local_cluster():
    with Client(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        assert isinstance(c.cluster, distributed.LocalCluster)
        pids = set(c.run(worker_pid).values())
        assert len(pids) == 1 and os.getpid() not in pids
        assert c.submit(operator.mul, 6, 7).result() == 42


def test_delayed_computes_on_the_workers(client):
    inc = tessera.delayed(lambda x: x + 1, pure=True)
    total = tessera.delayed(sum)([inc(i) for i in range(10)]) * 2
    assert total.compute() == sum(i + 1 for i in range(10)) * 2
    assert tessera.delayed(worker_pid)().compute() in set(client.run(worker_pid).values())
    x = inc(1)
    assert tessera.compute(x, [x * 10, {"k": x + 5}]) == (2, [20, {"k": 7}])


def test_dask_functions_accept_delayed_objects(client):
    a = tessera.delayed(slow_square)(3)
    b = tessera.delayed(operator.add)(a, 1)
    assert dask.compute(b, a) == (10, 9)
    future = client.compute(b)
    assert future.result() == 10
    persisted = client.persist(b)
    (held,) = distributed.futures_of(persisted)
    wait(persisted)
    assert held.status == "finished" and held.key == b.key
    assert (persisted * 2).compute() == 20  # reads the value held on a worker
    progress(persisted, notebook=False)
    assert tessera.persist(b)[0].compute() == 10


def test_persisted_delayed_is_freed_with_its_last_reference(client):
    persisted = tessera.delayed(slow_square)(12).persist()
    key = persisted.key
    assert persisted.compute() == 144

    def held(dask_scheduler, key=key):
        return key in dask_scheduler.tasks
    assert client.run_on_scheduler(held)
    del persisted
    deadline = time.monotonic() + 10
    while client.run_on_scheduler(held) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.run_on_scheduler(held)


def test_futures_submit_map_gather_as_completed_wait(client):
    f = client.submit(slow_square, 4)
    assert f.result() == 16
    futures = client.map(slow_square, range(6))
    assert client.gather(futures) == [i * i for i in range(6)]
    done = sorted(r for _, r in as_completed(futures, with_results=True))
    assert done == [i * i for i in range(6)]
    result = wait(futures)
    assert len(result.done) == 6 and not result.not_done
    # futures and Delayed objects as arguments become dependencies
    lazy = tessera.delayed(operator.add)(f, 1)
    assert lazy.compute() == 17
    assert client.submit(operator.add, lazy, f).result() == 33
    assert tessera.distributed.get_client() is client


def test_worker_errors_keep_type_message_and_key(client):
    def fails(x):
        raise KeyError(f"no row {x}")
    lazy = tessera.delayed(fails, name="lookup")(7)
    with pytest.raises(KeyError, match="no row 7") as error:
        lazy.compute()
    assert f"[in task {lazy.key}]" in error.value.__notes__
    future = client.submit(fails, 8)
    with pytest.raises(KeyError, match="no row 8") as error:
        future.result()
    assert f"[in task {future.key}]" in error.value.__notes__
    assert future.key.startswith("fails-")


def test_dashboard_groups_tasks_under_their_function_names(client):
    lazy = tessera.delayed(slow_square, pure=True)
    tessera.delayed(sum)([lazy(i) for i in range(4)]).compute()

    def prefixes(dask_scheduler):
        return sorted(dask_scheduler.task_prefixes)
    seen = client.run_on_scheduler(prefixes)
    assert "slow_square" in seen and "sum" in seen


def test_lost_worker_during_persist_is_recomputed(client):
    squares = [tessera.delayed(slow_square, pure=True)(i, 0.2) for i in range(12)]
    expected = [i * i for i in range(12)]
    persisted = client.persist(squares)
    time.sleep(0.5)  # some tasks done, others running
    victim = sorted(client.run(worker_pid).values())[0]
    os.kill(victim, signal.SIGKILL)
    assert tessera.compute(persisted)[0] == expected
    client.wait_for_workers(2, timeout=30)  # the nanny restarts it
