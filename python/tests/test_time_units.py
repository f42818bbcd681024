"""Timestamps and durations keep the unit the installed pandas gives (s, ms, us, ns): columns
from pandas, parsed dates, the data sets, and the results of arithmetic, comparisons, casts,
resample and rolling, each compared with pandas doing the same."""

import io

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq

UNITS = ["s", "ms", "us", "ns"]


def _times(unit, n=40, seed=0):
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, 86400 * 20, n))
    fraction = rng.integers(0, 1000, n) if unit != "s" else np.zeros(n, dtype=np.int64)
    per_second = {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit]
    ticks = 946684800 * per_second + seconds * per_second + fraction * (per_second // 1000 if unit != "s" else 0)
    return pd.Series(ticks.astype(f"M8[{unit}]"))


@pytest.mark.parametrize("unit", UNITS)
def test_from_pandas_keeps_the_unit(unit):
    pdf = pd.DataFrame({"t": _times(unit), "d": _times(unit).diff(), "x": np.arange(40.0)})
    pdf.loc[3, "t"] = pd.NaT
    df = dd.from_pandas(pdf, npartitions=3)
    assert df.dtypes["t"] == np.dtype(f"M8[{unit}]")
    assert df.dtypes["d"] == np.dtype(f"m8[{unit}]")
    assert_eq(df, pdf)
    assert_eq(df.t.max(), pdf.t.max())
    assert df.t.max().compute().unit == pdf.t.max().unit
    assert_eq(df.t.dt.hour, pdf.t.dt.hour, check_dtype=False)  # pandas gives int32
    assert_eq(df.t.dt.floor("1h"), pdf.t.dt.floor("1h"))
    assert_eq(df.t.astype(str), pdf.t.astype(str).where(pdf.t.notna()), check_dtype=False)


@pytest.mark.parametrize("a_unit,b_unit", [("s", "ms"), ("ms", "s"), ("us", "ns"), ("s", "ns")])
def test_arithmetic_and_comparisons_across_units(a_unit, b_unit):
    pdf = pd.DataFrame({"a": _times(a_unit, seed=1), "b": _times(b_unit, seed=2),
                        "d": _times(b_unit, seed=3).diff().fillna(pd.Timedelta(0))})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.a - df.b, pdf.a - pdf.b)
    assert_eq(df.a + df.d, pdf.a + pdf.d)
    assert_eq(df.a - df.d, pdf.a - pdf.d)
    assert_eq(df.a < df.b, pdf.a < pdf.b)
    assert_eq(df.a == df.b, pdf.a == pdf.b)
    constant = pd.Timestamp("2000-01-10 12:00:00.5")
    assert_eq(df.a > constant, pdf.a > constant)
    assert_eq(df.a - pd.Timestamp("2000-01-01"), pdf.a - pd.Timestamp("2000-01-01"))
    assert_eq(df.a + pd.Timedelta("1s"), pdf.a + pd.Timedelta("1s"))
    assert_eq(df.a + np.timedelta64(1, "ms"), pdf.a + np.timedelta64(1, "ms"))
    assert_eq((df.a - df.b) / pd.Timedelta("1h"), (pdf.a - pdf.b) / pd.Timedelta("1h"))


@pytest.mark.parametrize("spelling", ["M8[s]", "<M8[ms]", "datetime64[us]", "datetime64[ns]"])
def test_astype_takes_numpy_spellings(spelling):
    pdf = pd.DataFrame({"t": _times("ns", seed=4), "d": _times("ns", seed=4).diff()})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.t.astype(spelling), pdf.t.astype(spelling))
    delta = spelling.replace("M8", "m8").replace("datetime64", "timedelta64")
    assert_eq(df.d.astype(delta), pdf.d.astype(delta))


def test_astype_to_nanoseconds_out_of_range_is_an_error():
    pdf = pd.DataFrame({"t": pd.Series(np.array(["2500-01-01", "2000-01-01"], dtype="M8[s]"))})
    df = dd.from_pandas(pdf, npartitions=1)
    with pytest.raises(Exception) as pandas_error:
        pdf.t.astype("M8[ns]")
    with pytest.raises(ValueError, match="2500-01-01 00:00:00.*datetime64\\[ns\\]"):
        df.t.astype("M8[ns]").compute()
    assert "2500" in str(pandas_error.value)


def test_read_csv_parse_dates_has_pandas_unit(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("t,x\n2020-01-01 10:00:00,1\n2020-01-02 11:30:15,2\n,3\n")
    expected = pd.read_csv(path, parse_dates=["t"])
    df = dd.read_csv(str(path), parse_dates=["t"])
    assert df.dtypes["t"] == expected.dtypes["t"]  # datetime64[us] (pandas 3) / [ns] (pandas 2)
    assert_eq(df, expected, check_index=False)
    declared = dd.read_csv(str(path), dtype={"t": "M8[s]"})
    assert declared.dtypes["t"] == np.dtype("M8[s]")
    assert_eq(declared.t, expected.t.astype("M8[s]"), check_index=False)


def test_to_csv_round_trip_keeps_values(tmp_path):
    pdf = pd.DataFrame({"t": _times("ms", seed=5), "x": np.arange(40)})
    dd.from_pandas(pdf, npartitions=2).to_csv(str(tmp_path / "part-*.csv"), index=False)
    back = pd.concat([pd.read_csv(tmp_path / f"part-{i}.csv", parse_dates=["t"]) for i in range(2)],
                     ignore_index=True)
    pd.testing.assert_series_equal(back.t.astype("M8[ms]"), pdf.t)


def test_timeseries_index_unit_matches_date_range():
    df = tessera.datasets.timeseries(start="2000-01-01", end="2000-01-03", freq="1h", seed=2)
    expected_dtype = pd.date_range("2000-01-01", "2000-01-03", freq="1h").dtype
    assert df.index.dtype == expected_dtype
    pdf = df.compute()
    assert pdf.index.dtype == expected_dtype
    assert_eq(df.x.resample("6h").mean(), pdf.x.resample("6h").mean())
    assert df.divisions[0] == pd.Timestamp("2000-01-01")


@pytest.mark.parametrize("unit", ["s", "ms", "ns"])
def test_resample_rolling_and_loc_keep_the_index_unit(unit):
    pdf = pd.DataFrame({"x": np.arange(40.0)}, index=pd.DatetimeIndex(_times(unit, seed=6), name="t"))
    df = dd.from_pandas(pdf, npartitions=4)
    resampled = df.x.resample("1D").sum()
    assert_eq(resampled, pdf.x.resample("1D").sum())
    assert resampled.compute().index.dtype == np.dtype(f"M8[{unit}]")
    assert_eq(df.x.rolling("2D").sum(), pdf.x.rolling("2D").sum())
    assert_eq(df.loc["2000-01-05"], pdf.loc["2000-01-05"])
    assert_eq(df.loc["2000-01-03":"2000-01-08"], pdf.loc["2000-01-03":"2000-01-08"])
    assert_eq(df[df.index > pd.Timestamp("2000-01-04 06:00")], pdf[pdf.index > pd.Timestamp("2000-01-04 06:00")])


def test_merge_on_timestamps_of_different_units_matches_rows():
    left = pd.DataFrame({"k": pd.Series(np.array([1, 2, 3], dtype="M8[s]")), "x": [1, 2, 3]})
    right = pd.DataFrame({"k": pd.Series(np.array([2000, 3000, 4000], dtype="M8[ms]")), "y": [20, 30, 40]})
    result = dd.merge(dd.from_pandas(left, npartitions=1), dd.from_pandas(right, npartitions=2), on="k").compute()
    expected = pd.merge(left, right, on="k")
    # Rows and values as pandas; the key comes back in the finer unit (pandas keeps the left's).
    pd.testing.assert_frame_equal(result.sort_values("x").reset_index(drop=True).astype({"k": expected.k.dtype}),
                                  expected.sort_values("x").reset_index(drop=True))


def test_value_counts_and_min_of_second_resolution():
    pdf = pd.DataFrame({"t": pd.Series(np.array([5, 5, 7, 9, 5], dtype="M8[s]"))})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.t.value_counts(), pdf.t.value_counts())
    assert df.t.min().compute() == pdf.t.min()
    assert df.t.min().compute().unit == pdf.t.min().unit


def test_concat_and_where_across_units_give_the_finer_unit():
    a = pd.DataFrame({"t": pd.Series(np.array([1, 2], dtype="M8[s]"))})
    b = pd.DataFrame({"t": pd.Series(np.array([1500], dtype="M8[ms]"), index=[2])})
    result = dd.concat([dd.from_pandas(a, npartitions=1), dd.from_pandas(b, npartitions=1)])
    assert_eq(result, pd.concat([a, b]))
    pdf = pd.DataFrame({"s": pd.Series(np.array([1, 2, 3], dtype="M8[s]")),
                        "m": pd.Series(np.array([1500, 2500, 3500], dtype="M8[ms]"))})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.s.where(df.s < pd.Timestamp(2, unit="s"), df.m), pdf.s.where(pdf.s < pd.Timestamp(2, unit="s"), pdf.m))


def test_read_csv_dates_beyond_the_nanosecond_range(tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("t,x\n3000-01-01 00:00:01,1\n2020-01-01 00:00:00,2\n")
    df = dd.read_csv(str(path), parse_dates=["t"])
    if pd.read_csv(path, parse_dates=["t"]).dtypes["t"] == np.dtype("M8[us]"):  # pandas 3
        assert_eq(df, pd.read_csv(path, parse_dates=["t"]), check_index=False)
    else:  # pandas 2 reads nanoseconds, which cannot hold the year 3000: a clear error, no wrapped value
        with pytest.raises(ValueError, match="3000-01-01 00:00:01.*datetime64\\[ns\\]"):
            df.compute()
