"""Lowered graphs as data: the tutorial's steps lowered with ``_core.lower_tasks``, run task by
task with ``_core.run_operation`` in a plain loop (every value through serialize /
deserialize_partition, every params blob through pickle), compared with the local compute and
with pandas."""
import pickle

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera import _core


def run_tasks(tasks):
    """Runs the task list in dependency order, as a worker would: inputs arrive as frames."""
    pending = list(tasks)
    results = {}
    while pending:
        waiting = []
        for name, index, operation, params, args in pending:
            refs = [a for a in args if isinstance(a, tuple) and a and a[0] == "key"]
            if any((r[1], r[2]) not in results for r in refs):
                waiting.append((name, index, operation, params, args))
                continue
            inputs = [results[(a[1], a[2])] if isinstance(a, tuple) and a and a[0] == "key" else through_frames(a)
                      for a in args]
            params = pickle.loads(pickle.dumps(params))
            results[(name, index)] = through_frames(_core.run_operation(operation, params, inputs, (name, index)))
        assert len(waiting) < len(pending), "the task list has a cycle or a missing key"
        pending = waiting
    return results


def through_frames(value):
    if not isinstance(value, _core.Partition):
        return value
    header, frames = value.serialize()
    assert isinstance(header, bytes)
    assert all(isinstance(f, memoryview) for f in frames)
    copy = _core.deserialize_partition(header, [bytes(f) for f in frames])
    assert copy.nbytes == value.nbytes
    return copy


def computed_on_tasks(collection):
    tasks, outputs = _core.lower_tasks([collection._d], False)
    (key,), = outputs
    results = run_tasks(tasks)
    return collection._to_pandas(results[key].table())


def persisted_on_tasks(collection):
    tasks, outputs = _core.lower_tasks([collection._d], True)
    keys = outputs[0]
    assert len(keys) == collection.npartitions
    results = run_tasks(tasks)
    return [collection._to_pandas(results[k].table()) for k in keys]


@pytest.fixture
def taxi(tmp_path):
    rng = np.random.default_rng(7)
    n = 4000
    pdf = pd.DataFrame({
        "passenger_count": rng.integers(0, 6, n),
        "fare_amount": np.round(rng.normal(12, 8, n), 2),
        "tip_amount": np.round(rng.exponential(2, n), 2),
        "vendor": rng.choice(["CMT", "VTS", "DDS"], n),
    })
    path = tmp_path / "taxi.csv"
    pdf.to_csv(path, index=False)
    return str(path), pdf


def check_frame(collection, expected):
    local = collection.compute()
    lowered = computed_on_tasks(collection)
    pd.testing.assert_frame_equal(lowered, local)
    pd.testing.assert_frame_equal(lowered, expected, check_dtype=False)


def test_read_csv_filter_and_persist(taxi):
    path, pdf = taxi
    df = dd.read_csv(path, blocksize=20_000)
    assert df.npartitions > 2
    positive = df[df.fare_amount > 0]
    expected = pdf[pdf.fare_amount > 0]
    lowered = computed_on_tasks(positive)
    pd.testing.assert_frame_equal(lowered.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)
    parts = persisted_on_tasks(positive)
    pd.testing.assert_frame_equal(pd.concat(parts).reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)


def test_groupby_mean_and_value_counts(taxi):
    path, pdf = taxi
    df = dd.read_csv(path, blocksize=20_000)
    mean = df.groupby("passenger_count").tip_amount.mean()
    pd.testing.assert_series_equal(computed_on_tasks(mean), mean.compute())
    pd.testing.assert_series_equal(computed_on_tasks(mean), pdf.groupby("passenger_count").tip_amount.mean())
    counts = df.vendor.value_counts()
    pd.testing.assert_series_equal(computed_on_tasks(counts), counts.compute())
    pd.testing.assert_series_equal(computed_on_tasks(counts).sort_index(),
                                   pdf.vendor.value_counts().sort_index(), check_dtype=False)


def test_set_index_and_merge(taxi):
    path, pdf = taxi
    df = dd.read_csv(path, blocksize=20_000)
    indexed = df.set_index("fare_amount")
    lowered = computed_on_tasks(indexed)
    pd.testing.assert_frame_equal(lowered, indexed.compute())
    expected = pdf.set_index("fare_amount").sort_index(kind="stable")
    pd.testing.assert_frame_equal(lowered.sort_index(kind="stable"), expected, check_dtype=False)
    names = pd.DataFrame({"passenger_count": range(6), "label": [f"p{i}" for i in range(6)]})
    merged = df.merge(dd.from_pandas(names, npartitions=2), on="passenger_count")
    lowered = computed_on_tasks(merged)
    pd.testing.assert_frame_equal(lowered, merged.compute())
    expected = pdf.merge(names, on="passenger_count")
    key = ["passenger_count", "fare_amount", "tip_amount", "vendor"]
    pd.testing.assert_frame_equal(lowered.sort_values(key).reset_index(drop=True),
                                  expected.sort_values(key).reset_index(drop=True), check_dtype=False)


def test_map_partitions_with_a_lambda_travels_by_cloudpickle(taxi):
    path, pdf = taxi
    df = dd.read_csv(path, blocksize=20_000)
    factor = 3
    scaled = df.map_partitions(lambda p: p.assign(tip3=p.tip_amount * factor))
    lowered = computed_on_tasks(scaled)
    pd.testing.assert_frame_equal(lowered, scaled.compute())
    pd.testing.assert_series_equal(lowered.tip3.reset_index(drop=True), (pdf.tip_amount * factor).rename("tip3"))


def test_errors_keep_their_python_type(taxi):
    path, _ = taxi
    df = dd.read_csv(path, blocksize=20_000)

    def fail(partition):
        if len(partition):
            raise ValueError("bad partition")
        return partition

    failing = df.map_partitions(fail, meta=df._meta)
    tasks, _ = _core.lower_tasks([failing._d], False)
    with pytest.raises(ValueError, match="bad partition"):
        run_tasks(tasks)
    with pytest.raises(KeyError, match="no operation registered"):
        _core.run_operation("no.such.operation", b"", [], ("x", 0))


def test_partitions_borrow_frames_and_pickle(taxi):
    _, pdf = taxi
    pdf = pdf.assign(note=pd.array(["a", None, "ccc", "dd"] * (len(pdf) // 4), dtype="string"))
    df = dd.from_pandas(pdf, npartitions=3)
    tasks, outputs = _core.lower_tasks([df._d], True)
    results = run_tasks(tasks)
    parts = [results[k] for k in outputs[0]]
    assert all(p.kind == "table" for p in parts)
    pd.testing.assert_frame_equal(pd.concat([p.to_pandas() for p in parts]), df.compute())
    assert pd.concat([p.to_pandas() for p in parts]).note.isna().sum() == pdf.note.isna().sum()
    value = parts[1]
    header, frames = value.serialize()
    # One frame per buffer; together they hold the partition's bytes (exact nbytes for dask.sizeof).
    assert sum(f.nbytes for f in frames) >= value.nbytes > 0
    copy = _core.deserialize_partition(header, frames)  # borrows the memoryviews
    pd.testing.assert_frame_equal(copy.to_pandas(), value.to_pandas())
    again = pickle.loads(pickle.dumps(value))
    pd.testing.assert_frame_equal(again.to_pandas(), value.to_pandas())
    with pytest.raises(OSError):
        _core.deserialize_partition(header, frames[:-1])
