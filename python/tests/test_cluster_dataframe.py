"""The taxi lesson on a Dask cluster (a distributed.LocalCluster of two worker processes):
results equal the in-process scheduler's and pandas'; persisted partitions live on the workers;
Dask's functions take tessera collections; a killed worker changes nothing."""

import glob
import os
import signal
import sys
import time

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
import cloudpickle  # noqa: E402
import dask  # noqa: E402

import tessera  # noqa: E402
import tessera.dataframe as dd  # noqa: E402
from tessera import _core  # noqa: E402
from tessera.dataframe.utils import assert_eq  # noqa: E402
from tessera.distributed import Client  # noqa: E402

from cluster_lesson import DATES, PAYMENTS, lesson  # noqa: E402

if not hasattr(_core, "lower_tasks"):
    pytest.skip("this engine build cannot lower DataFrame graphs into tasks as data (tessera._core.lower_tasks)",
                allow_module_level=True)

cloudpickle.register_pickle_by_value(sys.modules[__name__])

@pytest.fixture(scope="module")
def taxi_glob(tmp_path_factory):
    directory = tmp_path_factory.mktemp("taxi")
    tessera.datasets.taxi(str(directory), files=4, rows=30_000)
    return str(directory / "*.csv")


@pytest.fixture(scope="module")
def pdf(taxi_glob):
    return pd.concat([pd.read_csv(p, parse_dates=DATES) for p in sorted(glob.glob(taxi_glob))], ignore_index=True)


@pytest.fixture(scope="module")
def local(taxi_glob):
    return lesson(dd.read_csv(taxi_glob, parse_dates=DATES).persist())


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def client(cluster, local):  # local results first: the cluster client takes every computation
    c = Client(cluster)
    yield c
    c.close()


def in_order(frame):
    flat = frame.reset_index()
    return flat.sort_values(list(flat.columns), ignore_index=True)


def worker_pid():
    return os.getpid()


def held_on_workers(client, frame):
    futures = distributed.futures_of(frame)
    who_has = client.who_has(futures)
    return len(futures), all(who_has[f.key] for f in futures)


def test_taxi_lesson_matches_the_local_scheduler_and_pandas(client, taxi_glob, pdf, local):
    df = dd.read_csv(taxi_glob, parse_dates=DATES).persist()
    distributed.wait(df)
    assert held_on_workers(client, df) == (df.npartitions, True)
    remote = lesson(df)
    assert remote["len"] == local["len"] == len(pdf)
    assert_eq(remote["head"], pdf.head(10), check_index=False)
    assert remote["passengers"] == local["passengers"] == pdf.passenger_count.sum()
    assert remote["tip_mean"] == pytest.approx(pdf.tip_amount.mean())
    positive = pdf.fare_amount > 0
    assert remote["tip_fraction"] == pytest.approx((pdf.tip_amount / pdf.fare_amount)[positive].mean())
    assert_eq(remote["long_trips"], pdf[pdf.trip_distance > 10], check_index=False)
    assert_eq(remote["tip_by_passengers"], pdf.groupby(pdf.passenger_count).tip_amount.mean())
    assert_eq(remote["payments"], pdf.payment_type.value_counts(), sort_results=True)
    assert remote["divisions"] == local["divisions"]
    by_time = pdf.set_index("tpep_pickup_datetime").sort_index()
    pd.testing.assert_frame_equal(in_order(remote["one_day"]), in_order(by_time.loc["2015-01-05"]), check_dtype=False)
    named = pdf.merge(PAYMENTS, on="payment_type")[["payment_name", "total_amount"]]
    assert_eq(remote["named"], named, sort_results=True, check_index=False)
    for name in ("head", "tail", "long_trips", "tip_by_passengers", "payments"):
        pd.testing.assert_frame_equal(pd.DataFrame(remote[name]), pd.DataFrame(local[name]))
    # rows of equal pickup times may come in another order
    pd.testing.assert_frame_equal(in_order(remote["one_day"]), in_order(local["one_day"]))


def test_dask_functions_accept_tessera_collections(client, taxi_glob, pdf):
    df = dd.read_csv(taxi_glob, parse_dates=DATES)
    (total,) = dask.compute(df.passenger_count.sum())
    assert total == pdf.passenger_count.sum()
    future = client.compute(df.groupby("payment_type").fare_amount.max())
    assert_eq(future.result(), pdf.groupby("payment_type").fare_amount.max())
    persisted = client.persist(df)
    distributed.wait(persisted)
    futures = distributed.futures_of(persisted)
    assert len(futures) == df.npartitions and all(f.status == "finished" for f in futures)
    tessera.distributed.progress(persisted, notebook=False)
    assert persisted.trip_distance.max().compute() == pdf.trip_distance.max()


def test_partitions_travel_zero_copy_with_exact_sizes(client, taxi_glob):
    df = dd.read_csv(taxi_glob, parse_dates=DATES).persist()
    distributed.wait(df)
    futures = distributed.futures_of(df)

    def exact(dask_worker, keys=[f.key for f in futures]):
        from dask.sizeof import sizeof
        return {str(k): (sizeof(dask_worker.data[k]), dask_worker.data[k].nbytes)
                for k in keys if k in dask_worker.data}
    measured = {}
    for per_worker in client.run(exact).values():
        measured.update(per_worker)
    assert len(measured) == df.npartitions
    assert all(size == nbytes > 0 for size, nbytes in measured.values())
    # the header and one frame per buffer, read back without a copy
    partition = client.gather(futures[0])
    header, frames = partition.serialize()
    back = _core.deserialize_partition(header, frames)
    assert back.nbytes == partition.nbytes
    assert np.shares_memory(np.asarray(frames[0]), np.asarray(back.serialize()[1][0]))
    pd.testing.assert_frame_equal(back.to_pandas(), partition.to_pandas())


def test_releasing_a_persisted_frame_frees_its_partitions(client, taxi_glob):
    df = dd.read_csv(taxi_glob, parse_dates=DATES[:1]).persist()  # partitions no other test holds
    distributed.wait(df)
    keys = [f.key for f in distributed.futures_of(df)]

    def held(dask_scheduler, keys=keys):
        return sum(k in dask_scheduler.tasks for k in keys)
    assert client.run_on_scheduler(held) == len(keys)
    del df
    deadline = time.monotonic() + 10
    while client.run_on_scheduler(held) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.run_on_scheduler(held) == 0


def test_worker_errors_keep_type_message_and_key(client, taxi_glob):
    df = dd.read_csv(taxi_glob, parse_dates=DATES)

    def fails(partition):
        raise ValueError("bad partition")
    with pytest.raises(ValueError, match="bad partition") as error:
        df.map_partitions(fails, meta=df._meta).compute()
    assert any(note.startswith("[in task ") for note in error.value.__notes__)

def test_engine_errors_on_a_worker_keep_type_and_key(client, taxi_glob, tmp_path):
    import shutil
    path = tmp_path / "gone.csv"
    shutil.copy(sorted(glob.glob(taxi_glob))[0], path)
    lazy = dd.read_csv(str(path)).passenger_count.sum()
    path.unlink()  # the worker finds the file gone
    with pytest.raises(OSError, match="gone.csv") as error:
        lazy.compute()
    assert any(note.startswith("[in task ('read-csv") for note in error.value.__notes__)


def test_dashboard_shows_engine_task_prefixes(client, taxi_glob):
    df = dd.read_csv(taxi_glob, parse_dates=DATES)
    df.set_index("tpep_pickup_datetime").persist()

    def prefixes(dask_scheduler):
        return sorted(dask_scheduler.task_prefixes)
    seen = client.run_on_scheduler(prefixes)
    assert "read-csv" in seen
    assert any(p.startswith("set-index") for p in seen)


@pytest.mark.parametrize("step", ["persist", "set_index"])
def test_killed_worker_changes_no_result(client, taxi_glob, local, step):
    df = dd.read_csv(taxi_glob, parse_dates=DATES)
    if step == "set_index":
        df = df.persist()
        lazy = df.set_index("tpep_pickup_datetime")
    else:
        lazy = df
    persisted = client.persist(lazy)
    time.sleep(0.1)  # the persist is under way
    victim = sorted(client.run(worker_pid).values())[-1]
    os.kill(victim, signal.SIGKILL)
    distributed.wait(persisted, timeout=60)
    if step == "set_index":
        assert persisted.divisions == local["divisions"]
        pd.testing.assert_frame_equal(in_order(persisted.loc["2015-01-05"].compute()), in_order(local["one_day"]))
    else:
        assert len(persisted) == local["len"]
        assert persisted.passenger_count.sum().compute() == local["passengers"]
    client.wait_for_workers(2, timeout=60)
