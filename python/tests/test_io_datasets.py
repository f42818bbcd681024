"""read_csv / to_csv over real files, and the data sets."""

import os

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture
def csv_dir(tmp_path, frame):
    for i in range(3):
        part = frame.iloc[i * 300:(i + 1) * 300]
        part.to_csv(tmp_path / f"part-{i}.csv", index=False)
    return tmp_path


def test_read_csv_glob_matches_pandas(csv_dir):
    df = dd.read_csv(str(csv_dir / "*.csv"), parse_dates=["t"], blocksize="8kB")
    assert df.npartitions > 3
    expected = pd.concat([pd.read_csv(csv_dir / f"part-{i}.csv", parse_dates=["t"]) for i in range(3)],
                         ignore_index=True)
    assert_eq(df.compute(), expected, check_index=False)
    assert_eq(df.groupby(df.k).f.mean(), expected.groupby(expected.k).f.mean())


def test_read_csv_options(csv_dir):
    df = dd.read_csv([str(csv_dir / "part-0.csv")], usecols=["i", "s"], dtype={"i": "float64"})
    expected = pd.read_csv(csv_dir / "part-0.csv", usecols=["i", "s"], dtype={"i": "float64"})
    assert_eq(df, expected)
    assert_eq(dd.read_csv(str(csv_dir / "part-0.csv"), nrows=10, blocksize=None),
              pd.read_csv(csv_dir / "part-0.csv", nrows=10))


def test_read_csv_errors_name_the_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(ValueError, match=r"bad\.csv.*line 3.*'b'"):
        dd.read_csv(str(bad), dtype={"b": "int64"}).compute()
    with pytest.raises(OSError, match="missing"):
        dd.read_csv(str(tmp_path / "missing-*.csv"))
    with pytest.raises(TypeError, match="unexpected keyword argument 'engine'"):
        dd.read_csv(str(bad), engine="c")


def test_to_csv_writes_one_file_per_partition(tmp_path, frame):
    df = dd.from_pandas(frame[["i", "f", "s"]], npartitions=3)
    paths = df.to_csv(str(tmp_path / "out-*.csv"), index=False)
    assert len(paths) == 3 and all(os.path.exists(p) for p in paths)
    # empty strings are written as empty fields, which read back as text only without NA parsing
    back = pd.concat([pd.read_csv(p, keep_default_na=False, na_values={"f": [""]}) for p in sorted(paths)],
                     ignore_index=True)
    assert_eq(back, frame[["i", "f", "s"]].reset_index(drop=True), check_dtype=False, check_exact=False)


def test_timeseries_dataset():
    df = tessera.datasets.timeseries(start="2000-01-01", end="2000-01-04", freq="1min", seed=1)
    assert list(df.columns) == ["name", "id", "x", "y"]  # Dask's order
    assert df.npartitions == 3 and df.known_divisions
    assert df.divisions[0] == pd.Timestamp("2000-01-01")
    pdf = df.compute()
    assert len(pdf) == 3 * 24 * 60
    assert pdf.index.is_monotonic_increasing
    assert pdf.x.between(-1, 1).all()
    assert_eq(df.x.mean(), pdf.x.mean())


def test_taxi_dataset(tmp_path):
    paths = tessera.datasets.taxi(str(tmp_path), files=2, rows=500)
    assert len(paths) == 2
    df = dd.read_csv(str(tmp_path / "*.csv"), parse_dates=["tpep_pickup_datetime", "tpep_dropoff_datetime"])
    pdf = pd.concat([pd.read_csv(p, parse_dates=["tpep_pickup_datetime", "tpep_dropoff_datetime"]) for p in sorted(paths)],
                    ignore_index=True)
    assert len(df) == 1000
    assert_eq(df.passenger_count.sum(), pdf.passenger_count.sum())
    assert_eq(df.groupby(df.passenger_count).tip_amount.mean(), pdf.groupby(pdf.passenger_count).tip_amount.mean())


def test_bench_commands_report_json(tmp_path, capsys):
    from tessera import bench
    tessera.datasets.taxi(str(tmp_path), files=1, rows=2000)
    report = bench.seed(str(tmp_path / "*.csv"))
    assert [s["step"] for s in report["steps"]] == [
        "read_csv+persist", "len", "passenger_count.sum", "groupby.tip.mean", "tip_frac.mean", "value_counts",
        "set_index+persist", "loc_one_day", "resample_1h_mean"]
    assert report["peak_rss_bytes"] > 0
    small = bench.to_pandas(10_000, repeat=3)
    assert small["zero_copy"] is True and small["rows"] == 10_000
