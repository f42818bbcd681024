"""The public Dask tutorial's dataframe lessons, cell by cell with ``import tessera.dataframe as
dd``, on generated data, each result compared with pandas on the same data.

Lessons: dask-tutorial ``01_dataframe`` (NYC flights CSVs), dask-examples ``dataframe``
(``timeseries()``), ``dataframes/02-groupby`` and ``dataframes/03-from-pandas-to-dask``.
"""

from itertools import chain

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


# ---------------------------------------------------------------------------------------------
# dask-tutorial 01_dataframe: NYC flights, one CSV per year

@pytest.fixture(scope="module")
def flights(tmp_path_factory):
    directory = tmp_path_factory.mktemp("nycflights")
    rng = np.random.default_rng(1990)
    frames = []
    for year in (1990, 1991, 1992):
        n = 1500
        frame = pd.DataFrame({
            "Year": year,
            "Month": rng.integers(1, 13, n),
            "DayofMonth": rng.integers(1, 29, n),
            "DayOfWeek": rng.integers(1, 8, n),
            "DepTime": rng.integers(0, 2400, n).astype(float),
            "UniqueCarrier": rng.choice(["AA", "UA", "DL", "CO"], n),
            "TailNum": rng.choice(["N123", "N456", "N789", "UNKNOW"], n),
            "CRSElapsedTime": rng.integers(40, 400, n).astype(float),
            "DepDelay": np.where(rng.random(n) < 0.05, np.nan, rng.normal(8, 20, n).round()),
            "Origin": rng.choice(["EWR", "JFK", "LGA"], n),
            "Dest": rng.choice(["ORD", "LAX", "SFO", "ATL", "BOS"], n),
            "Distance": rng.integers(100, 2600, n).astype(float),
            "Cancelled": rng.random(n) < 0.03,
        })
        frame.to_csv(directory / f"{year}.csv", index=False)
        frames.append(frame)
    pdf = pd.concat(frames, ignore_index=True)
    ddf = dd.read_csv(str(directory / "*.csv"), dtype={"TailNum": str, "CRSElapsedTime": float, "Cancelled": bool},
                      blocksize=64_000)
    return ddf, pdf


def test_flights_first_look(flights):
    ddf, pdf = flights
    assert ddf.npartitions > 3
    assert len(ddf) == len(pdf)
    assert_eq(ddf.head(), pdf.head())
    assert_eq(ddf.tail(), pdf.tail().reset_index(drop=True), check_index=False)
    assert list(ddf.columns) == list(pdf.columns)
    assert ddf.DepDelay.max().compute() == pdf.DepDelay.max()


def test_flights_exercises(flights):
    ddf, pdf = flights
    assert len(ddf[~ddf.Cancelled]) == len(pdf[~pdf.Cancelled])
    assert_eq(ddf[~ddf.Cancelled].groupby("Origin").Origin.count(), pdf[~pdf.Cancelled].groupby("Origin").Origin.count())
    assert_eq(ddf.groupby("Origin").DepDelay.mean(), pdf.groupby("Origin").DepDelay.mean())
    assert ddf.groupby("DayOfWeek").DepDelay.mean().idxmax().compute() == pdf.groupby("DayOfWeek").DepDelay.mean().idxmax()
    assert_eq(ddf["Distance"].apply(lambda x: x + 1, meta=("Distance", "f8")), pdf["Distance"] + 1, check_index=False)
    assert_eq(ddf["Distance"] + 1, pdf["Distance"] + 1, check_index=False)


def test_flights_shared_work_persist_and_map_partitions(flights):
    ddf, pdf = flights
    non_cancelled = ddf[~ddf.Cancelled]
    mean_delay, std_delay = tessera.compute(non_cancelled.DepDelay.mean(), non_cancelled.DepDelay.std())
    expected = pdf[~pdf.Cancelled].DepDelay
    assert np.isclose(mean_delay, expected.mean()) and np.isclose(std_delay, expected.std())
    jfk = non_cancelled[non_cancelled.Origin == "JFK"].persist()
    assert np.isclose(jfk.DepDelay.sum().compute(), expected[pdf[~pdf.Cancelled].Origin == "JFK"].sum())

    def my_custom_converter(df, multiplier=1):
        return df * multiplier

    meta = pd.Series(name="Distance", dtype="float64")
    distance_km = ddf.Distance.map_partitions(my_custom_converter, multiplier=0.6, meta=meta)
    assert_eq(distance_km.head(), pdf.Distance.head() * 0.6)
    assert_eq(distance_km, pdf.Distance * 0.6, check_index=False)


def test_flights_partition_types(flights):
    ddf, _ = flights
    types = ddf.map_partitions(type).compute()
    assert len(types) == ddf.npartitions and set(types) == {pd.DataFrame}


# ---------------------------------------------------------------------------------------------
# dask-examples dataframe.ipynb and dataframes/02-groupby.ipynb: timeseries()

@pytest.fixture(scope="module")
def timeseries():
    df = tessera.datasets.timeseries(start="2000-01-01", end="2000-01-06", freq="10s", seed=42).persist()
    return df, df.compute()


def test_timeseries_lesson(timeseries):
    df, pdf = timeseries
    assert list(df.dtypes.index) == list(pdf.dtypes.index)
    assert_eq(df.head(3), pdf.head(3))
    df2 = df[df.y > 0]
    assert_eq(df2.groupby("name").x.std(), pdf[pdf.y > 0].groupby("name").x.std())
    df4 = df.groupby("name").aggregate({"x": "sum", "y": "max"})
    expected4 = pdf.groupby("name").aggregate({"x": "sum", "y": "max"})
    assert_eq(df4, expected4)
    merged = df.merge(df4.repartition(npartitions=1), left_on="name", right_index=True,
                      suffixes=("_original", "_aggregated"))
    pmerged = pdf.merge(expected4, left_on="name", right_index=True, suffixes=("_original", "_aggregated"))
    assert_eq(merged, pmerged, sort_results=True)
    assert_eq(df[["x", "y"]].resample("1h").mean().head(), pdf[["x", "y"]].resample("1h").mean().head())
    assert_eq(df[["x", "y"]].resample("24h").mean(), pdf[["x", "y"]].resample("24h").mean(), check_freq=True)
    assert_eq(df[["x", "y"]].rolling(window="24h").mean().head(), pdf[["x", "y"]].rolling(window="24h").mean().head())
    assert_eq(df[["x", "y"]].rolling(window="24h").mean(), pdf[["x", "y"]].rolling(window="24h").mean())
    assert_eq(df.loc["2000-01-05"], pdf.loc["2000-01-05"])
    df5 = df.set_index("name").persist()
    assert_eq(df5.loc["Alice"], pdf.set_index("name").loc["Alice"], sort_results=True, check_index=False)


def test_timeseries_groupby_lesson(timeseries):
    df, pdf = timeseries
    assert_eq(df.groupby("name").x.mean(), pdf.groupby("name").x.mean())
    spec = {"x": ["mean", "std"], "y": ["mean", "count"]}
    assert_eq(df.groupby("name").agg(spec), pdf.groupby("name").agg(spec))
    assert_eq(df.groupby("id").x.mean(split_out=4), pdf.groupby("id").x.mean(), sort_results=True)

    def train(partition):
        if not len(partition):
            return None
        slope = np.polyfit(partition.x.to_numpy(), partition.y.to_numpy(), 1)[0]
        return {"slope": slope, "n": len(partition)}

    models = df.groupby("name").apply(train, meta=object).compute().sort_index()
    expected = pdf.groupby("name")[["x", "y"]].apply(train).sort_index()
    assert list(models.index) == list(expected.index)
    assert [m["n"] for m in models] == [m["n"] for m in expected]
    assert np.allclose([m["slope"] for m in models], [m["slope"] for m in expected])


# ---------------------------------------------------------------------------------------------
# dask-examples dataframes/03-from-pandas-to-dask.ipynb ("gotchas")

@pytest.fixture
def gotchas():
    rng = np.random.default_rng(3)
    n = 400
    index = pd.date_range("2021-09-01", periods=n, freq="1h", name="timestamp")
    pdf = pd.DataFrame({"name": rng.choice(["Alice", "Bob", "Charlie", "Dan"], n), "id": rng.integers(990, 1010, n),
                        "x": rng.random(n), "y": rng.random(n)}, index=index)
    return dd.from_pandas(pdf, npartitions=10), pdf


def test_gotchas_lesson(gotchas, tmp_path):
    ddf, pdf = gotchas
    assert_eq(ddf, pdf)
    assert ddf.shape[0].compute() == len(pdf) and ddf.shape[1] == pdf.shape[1]
    assert len(ddf.index) == len(pdf.index)
    ddf2 = ddf.reset_index()
    assert len(ddf2.loc[0].compute()) == ddf.npartitions  # one row per partition, as in Dask
    renamed = ddf.rename(columns={"id": "ID"})
    assert list(renamed.columns) == ["name", "ID", "x", "y"]
    cond = (ddf["x"] > 0.5) & (ddf["x"] < 0.8)
    ddf["y"] = ddf["y"].mask(cond=cond, other=ddf["y"] * 100)
    pcond = (pdf["x"] > 0.5) & (pdf["x"] < 0.8)
    pdf = pdf.assign(y=pdf["y"].mask(cond=pcond, other=pdf["y"] * 100))
    assert_eq(ddf, pdf)
    initials = ddf["name"].apply(lambda x: x[0] + x[1], meta=pd.Series(dtype=object, name="initials"))
    assert initials.compute().tolist() == pdf["name"].map(lambda x: x[0] + x[1]).tolist()

    def func(row):
        return row["x"] + row["y"]
    ddf["z"] = ddf.apply(func, axis=1, meta=("z", "float"))
    pdf = pdf.assign(z=pdf.x + pdf.y)
    assert_eq(ddf, pdf)

    def func2(df, coor_x, coor_y, drop_cols):
        df["dist"] = np.sqrt((df[coor_x] - df[coor_x].shift()) ** 2 + (df[coor_y] - df[coor_y].shift()) ** 2)
        return df.drop(drop_cols, axis=1)
    meta = pd.DataFrame({"name": pd.Series(dtype=pdf.name.dtype), "id": pd.Series(dtype="int64"),
                         "z": pd.Series(dtype="float64"), "dist": pd.Series(dtype="float64")})
    dist = ddf.map_partitions(func2, coor_x="x", coor_y="y", drop_cols=["x", "y"], meta=meta)
    # shift() works within each partition, as in Dask: pandas on the same row ranges
    bounds = list(ddf.divisions)
    parts = [pdf[(pdf.index >= lo) & ((pdf.index < hi) if i < len(bounds) - 2 else (pdf.index <= hi))]
             for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
    expected = pd.concat([func2(p.copy(), "x", "y", ["x", "y"]) for p in parts])
    assert_eq(dist, expected)
    ddf = ddf.drop(labels=["z"], axis=1)
    ddf = ddf.assign(colna=None)
    assert ddf.colna.isnull().all().compute()
    paths = ddf.to_csv(str(tmp_path / "ddf*.csv"), index=False)
    assert len(paths) == ddf.npartitions
    back = dd.read_csv(str(tmp_path / "ddf*.csv"))
    assert len(back) == len(pdf)


def test_gotchas_group_to_list_aggregation(gotchas):
    ddf, pdf = gotchas
    ddf = ddf.assign(times=ddf.index)
    ddf["hour"] = ddf.times.astype(str).str[-8:-6]
    pdf = pdf.assign(times=pdf.index)
    pdf["hour"] = pdf.times.astype(str).str[-8:-6]
    assert_eq(ddf, pdf)
    custom_agg = dd.Aggregation("custom_agg", lambda s: s.apply(set),
                                lambda s: s.apply(lambda chunks: list(set(chain(*chunks)))))
    result = ddf.groupby("name").agg({"hour": custom_agg}).compute()
    expected = pdf.groupby("name").hour.apply(lambda s: list(set(s)))
    assert list(result.index) == list(expected.index)
    assert all(sorted(result.hour[k]) == sorted(expected[k]) for k in expected.index)
    df_gb = ddf.groupby("name")
    joined = df_gb.size().to_frame(name="Weight").join(df_gb.x.mean().to_frame(), how="left")
    pjoined = pdf.groupby("name").size().to_frame(name="Weight").join(pdf.groupby("name").x.mean().to_frame(),
                                                                     how="left")
    assert_eq(joined, pjoined)
