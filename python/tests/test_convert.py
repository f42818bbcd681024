"""pandas in, pandas out: dtypes, nulls, index and zero-copy transfer."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


def test_round_trip_keeps_values_dtypes_and_index(frame):
    df = dd.from_pandas(frame, npartitions=4)
    assert_eq(df, frame)
    assert list(df.columns) == list(frame.columns)
    assert df.npartitions == 4
    assert df.known_divisions
    assert df.divisions[0] == 0 and df.divisions[-1] == len(frame) - 1


@pytest.mark.parametrize("values", [
    pd.Series([1, 2, 3], dtype="int64"),
    pd.Series([1.5, np.nan, -0.0]),
    pd.Series([True, False, True]),
    pd.Series(["a", None, "ü"]),
    pd.Series(pd.to_datetime(["2015-01-01 00:00", None, "2016-02-29 10:00"])),
    pd.Series(pd.to_timedelta(["1s", None, "2h"])),
    pd.Series(pd.Categorical(["x", "y", None, "x"])),
    pd.Series([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0]),
    pd.Series([np.inf, -np.inf, np.nan]),
    pd.Series(np.array([1, 2, 3], dtype=np.uint16)),
    pd.Series(np.array([1.5, 2.5], dtype=np.float32)),
    pd.Series([], dtype="float64"),
])
def test_each_dtype_round_trips(values):
    pdf = pd.DataFrame({"v": values})
    result = dd.from_pandas(pdf, npartitions=2).compute()
    assert_eq(result, pdf)


def test_nullable_integers_with_missing_values_become_float64():
    pdf = pd.DataFrame({"v": pd.array([1, None, 3], dtype="Int64")})
    result = dd.from_pandas(pdf, npartitions=1).compute()
    assert_eq(result, pd.DataFrame({"v": [1.0, np.nan, 3.0]}))


def test_string_dtype_is_pandas_default():
    pdf = pd.DataFrame({"s": ["a", "b"]})
    result = dd.from_pandas(pdf, npartitions=1).compute()
    assert result["s"].dtype == pd.Series(["a"]).dtype


def test_numeric_results_reach_pandas_without_a_copy():
    pdf = pd.DataFrame({"a": np.arange(100_000, dtype=np.float64), "b": np.arange(100_000)})
    df = dd.from_pandas(pdf, npartitions=1).persist()
    first, second = df.compute(), df.compute()
    # both results are views of the same engine buffers
    assert np.shares_memory(first["a"].to_numpy(), second["a"].to_numpy())
    assert np.shares_memory(first["b"].to_numpy(), second["b"].to_numpy())
    series = df.a.compute()
    assert np.shares_memory(series.to_numpy(), first["a"].to_numpy())


def test_from_pandas_takes_numeric_columns_without_a_copy():
    values = np.arange(50_000, dtype=np.float64)
    pdf = pd.DataFrame({"a": values}, copy=False)
    df = dd.from_pandas(pdf, npartitions=1, sort=False).persist()
    assert np.shares_memory(df.compute()["a"].to_numpy(), np.asarray(pdf["a"]))


def test_arrow_c_stream_export_and_import(frame):
    df = dd.from_pandas(frame, npartitions=3)
    table = pa.table(df)  # reads __arrow_c_stream__
    assert table.num_rows == len(frame)
    assert table.column_names == ["index"] + list(frame.columns)
    for name in frame.columns:
        exported, expected = table.column(name).to_pandas(), frame[name]
        # missing values in the same rows (NaN compares unequal, so values are compared without them)
        assert exported.isna().tolist() == expected.isna().tolist(), name
        assert exported[exported.notna()].tolist() == expected[expected.notna()].tolist(), name
    assert table.column("f").null_count == frame["f"].isna().sum() > 0  # NaN arrives as null
    back = dd.from_arrow(table.drop_columns(["index"]), npartitions=2)
    assert back.npartitions == 2
    assert_eq(back, frame, check_index=False)


def test_arrow_export_shares_the_engine_buffers():
    pdf = pd.DataFrame({"a": np.arange(1000, dtype=np.int64), "s": ["x"] * 1000})
    df = dd.from_pandas(pdf, npartitions=1).persist()
    table = pa.table(df)
    engine_values = df.compute()["a"].to_numpy()
    assert table.column("a").chunk(0).buffers()[1].address == engine_values.ctypes.data


def test_polars_and_duckdb_read_tessera_frames():
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    pdf = pd.DataFrame({"k": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 4.0]})
    df = dd.from_pandas(pdf, npartitions=2)
    polars_frame = pl.DataFrame(df)
    assert polars_frame["v"].sum() == 10.0
    arrow_table = pa.table(df)
    totals = duckdb.sql("select k, sum(v) as v from arrow_table group by k order by k").fetchall()
    assert totals == [(1, 4.0), (2, 6.0)]
    back = dd.from_arrow(polars_frame.drop("index"))
    assert_eq(back, pdf, check_index=False)


def test_from_pandas_series_and_chunksize():
    s = pd.Series(np.arange(10.0), name="x")
    ds = dd.from_pandas(s, chunksize=3)
    assert ds.npartitions == 4
    assert_eq(ds, s)
    assert ds.name == "x"


def test_from_pandas_rejects_non_pandas_input():
    with pytest.raises(TypeError, match="from_pandas takes a pandas DataFrame"):
        dd.from_pandas([1, 2, 3], npartitions=1)
    with pytest.raises(ValueError, match="npartitions must be at least 1"):
        dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=0)


def test_object_columns_that_are_not_strings_are_rejected_with_the_column_name():
    pdf = pd.DataFrame({"mixed": [1, "a", 2.5]})
    with pytest.raises(TypeError, match="'mixed'"):
        dd.from_pandas(pdf, npartitions=1)
