"""Behaviour details users of Dask and pandas rely on."""

import datetime
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tessera
import tessera.dataframe as dd
from tessera import delayed
from tessera.dataframe.utils import assert_eq
from tessera.distributed import Client, as_completed, wait


@pytest.fixture
def pair():
    pdf = pd.DataFrame({"x": np.arange(12.0), "k": [1, 2, 3] * 4})
    return dd.from_pandas(pdf, npartitions=3), pdf


def test_pure_keys_tell_lambdas_and_closures_apart():
    with Client(n_workers=1, threads_per_worker=2) as client:
        first = client.gather(client.map(lambda v: v + 1, range(3)))
        second = client.gather(client.map(lambda v: v * 2, range(3)))
        assert first == [1, 2, 3] and second == [0, 2, 4]

        def make(n):
            return lambda v: v + n
        assert client.submit(make(1), 10).result() == 11
        assert client.submit(make(5), 10).result() == 15
        explicit = client.submit(lambda: 7, key="seven-1")
        assert explicit.key == "seven-1" and explicit.result() == 7
    assert delayed(lambda v: v, pure=True)(1, dask_key_name="mine").key == "mine"


def test_read_csv_with_names_has_no_header(tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text("1,2\n3,4\n")
    df = dd.read_csv(str(path), names=["a", "b"])
    assert_eq(df, pd.read_csv(path, names=["a", "b"]))


def test_reset_index_and_unnamed_series(pair, tmp_path):
    df, pdf = pair
    pdf.to_csv(tmp_path / "f.csv", index=False)
    from_csv = dd.read_csv(str(tmp_path / "f.csv"))
    assert_eq(from_csv.reset_index(drop=True), pdf)
    unnamed = dd.from_pandas(pd.Series([1.0, 2.0, 3.0]), npartitions=2)
    assert unnamed.name is None
    assert_eq(unnamed.loc[1:2], pd.Series([1.0, 2.0, 3.0]).loc[1:2])
    first = unnamed.partitions[0].compute()
    assert 0 < len(first) < 3 and first.name is None
    assert_eq(first, pd.Series([1.0, 2.0, 3.0]).iloc[:len(first)])


def test_iteration_reductions_axis_and_unknown_keywords(pair):
    df, pdf = pair
    assert list(df.x) == pdf.x.tolist()
    assert list(df) == ["x", "k"]
    with pytest.raises(NotImplementedError, match="axis"):
        df.sum(axis=1)
    assert_eq(df.sum(axis=0), pdf.sum(axis=0))
    with pytest.raises(TypeError, match="unsupported keyword"):
        df.groupby("k", observed_only=False)
    with pytest.raises(TypeError, match="unsupported keyword"):
        df.merge(df, on="k", indicator=True)
    with pytest.raises(TypeError, match="unsupported keyword"):
        df.groupby("k").x.sum(min_count=2)
    with pytest.raises(TypeError, match="in"):
        3.0 in df.x


def test_concat_of_series_and_reflected_operators(pair):
    df, pdf = pair
    assert_eq(dd.concat([df.x, df.x]), pd.concat([pdf.x, pdf.x]))
    assert_eq(True & (df.x > 3), True & (pdf.x > 3))
    assert_eq(2 * df.x, 2 * pdf.x)
    assert_eq(10 - df.x, 10 - pdf.x)
    with pytest.raises(TypeError, match="constant on the left"):
        2 ** df.x


def test_scalar_arithmetic_is_lazy_and_computed_together(pair):
    df, pdf = pair
    mean = df.x.sum() / df.x.count()
    assert isinstance(mean, dd.Scalar)
    assert mean.compute() == pdf.x.mean()
    assert (1 + df.x.max() * 2).compute() == 1 + pdf.x.max() * 2
    (value,) = tessera.compute(df.x.max() - df.x.min())
    assert value == pdf.x.max() - pdf.x.min()


def test_future_exception_timeout_and_wait():
    with Client(n_workers=1, threads_per_worker=1) as client:
        bad = client.submit(lambda: {}["missing"], pure=False)
        assert isinstance(bad.exception(), KeyError)
        slow = client.submit(lambda: time.sleep(0.5), pure=False)
        with pytest.raises(TimeoutError):
            slow.result(timeout=0.01)
        with pytest.raises(TimeoutError):
            wait([slow], timeout=0.01)
        done, not_done = wait([slow, bad])
        assert len(done) == 2 and not not_done
        df = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0]}), npartitions=1)
        assert client.gather([client.compute(df.x.sum()), bad.key]) == [3.0, bad.key]
        with pytest.raises(TypeError, match="as_completed takes futures"):
            as_completed([client.compute(df.x.sum())])


def test_arrow_and_pandas_inputs_tessera_keeps_or_refuses(tmp_path):
    table = pa.table({"d": pa.array([datetime.date(2015, 1, 2), None], type=pa.date32()),
                      "b": pa.array([True, None])})
    result = dd.from_arrow(table).compute()
    assert result["d"].tolist() == [datetime.date(2015, 1, 2), None]
    assert result["b"].tolist()[0] is True and pd.isna(result["b"].tolist()[1])
    arrow_backed = pd.DataFrame({"n": pd.array([1, None, 3], dtype="int64[pyarrow]")})
    assert dd.from_pandas(arrow_backed, npartitions=1).compute()["n"].tolist()[::2] == [1.0, 3.0]
    aware = pd.DataFrame({"t": pd.date_range("2015-01-01", periods=2, tz="US/Eastern")})
    with pytest.raises(TypeError, match="time zone"):
        dd.from_pandas(aware, npartitions=1)
    ordered = pd.DataFrame({"c": pd.Categorical(["a", "b"], ordered=True)})
    with pytest.raises(TypeError, match="ordered"):
        dd.from_pandas(ordered, npartitions=1)


def test_map_partitions_index_is_decided_once(tmp_path):
    pdf = pd.DataFrame({"x": np.arange(30) - 5.0})
    pdf.to_csv(tmp_path / "f.csv", index=False)
    df = dd.read_csv(str(tmp_path / "f.csv"), blocksize=60)
    assert df.npartitions > 2
    # some partitions keep every row (a default index back), others lose rows
    result = df.map_partitions(lambda part: part[part.x > 0])
    assert_eq(result, pdf[pdf.x > 0], check_index=False)


def test_results_are_read_only_views_and_copies_are_writable(pair):
    df, pdf = pair
    persisted = dd.from_pandas(pdf, npartitions=1).persist()
    for result in [(df.x * 2).to_frame().compute(), persisted.compute()]:
        # views of engine memory (persisted partitions may share it): writing in place is a
        # clear error, never a change to the engine's data
        with pytest.raises(ValueError, match="read-only"):
            result.loc[result.x < 4, "x"] = -1.0
        small = int((result.x < 4).sum())
        assert small > 0
        writable = result.copy()
        writable.loc[writable.x < 4, "x"] = -1.0
        assert (writable.x == -1.0).sum() == small
    assert_eq(persisted, pdf)


def test_functions_may_write_into_the_partitions_they_receive(pair):
    df, pdf = pair

    def zero_small(part):
        part.loc[part.x < 3, "x"] = 0.0
        return part

    expected = pdf.copy()
    expected.loc[expected.x < 3, "x"] = 0.0
    assert_eq(df.map_partitions(zero_small), expected)
    assert_eq(df, pdf)  # the engine's partitions are unchanged
