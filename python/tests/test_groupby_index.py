"""Group-by, set_index / divisions / loc, resample, rolling, joins and reshaping against pandas."""

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture(params=[1, 4])
def pair(request, frame):
    return dd.from_pandas(frame, npartitions=request.param), frame


@pytest.mark.parametrize("how", ["sum", "mean", "count", "min", "max", "var", "std", "first", "last", "nunique"])
def test_groupby_series_aggregations(pair, how):
    df, pdf = pair
    assert_eq(getattr(df.groupby(df.k).f, how)(), getattr(pdf.groupby(pdf.k).f, how)())
    assert_eq(getattr(df.groupby("s").i, how)(), getattr(pdf.groupby("s").i, how)())


def test_groupby_frame_size_agg_and_several_keys(pair):
    df, pdf = pair
    assert_eq(df.groupby("k")[["i", "f"]].sum(), pdf.groupby("k")[["i", "f"]].sum())
    assert_eq(df.groupby("k").size(), pdf.groupby("k").size())
    assert_eq(df.groupby("k").agg({"f": "mean", "i": "max"}), pdf.groupby("k").agg({"f": "mean", "i": "max"}))
    assert_eq(df.groupby("k").agg(lo=("f", "min"), n=("i", "count")),
              pdf.groupby("k").agg(lo=("f", "min"), n=("i", "count")))
    assert_eq(df.groupby(["k", "b"]).i.sum(), pdf.groupby(["k", "b"]).i.sum())
    assert_eq(df.groupby("k", split_out=3).f.sum(), pdf.groupby("k").f.sum(), sort_results=True)


def test_groupby_apply_on_whole_groups(pair):
    df, pdf = pair
    result = df.groupby("k").apply(lambda g: g.assign(rank=g.i.rank(method="first")))
    expected = pdf.groupby("k", group_keys=False).apply(lambda g: g.assign(rank=g.i.rank(method="first")))
    assert_eq(result, expected, sort_results=True)


def test_set_index_gives_known_divisions_and_sorted_rows(pair):
    df, pdf = pair
    indexed = df.set_index("t").persist()
    assert indexed.known_divisions
    divisions = indexed.divisions
    assert list(divisions) == sorted(divisions)
    assert divisions[0] == pdf.t.min() and divisions[-1] == pdf.t.max()
    assert_eq(indexed, pdf.set_index("t").sort_index())
    by_float = df.set_index("i", npartitions=3)
    assert by_float.npartitions == 3
    assert_eq(by_float, pdf.set_index("i").sort_index(kind="stable"))


def test_set_index_with_explicit_divisions_and_sorted(pair):
    df, pdf = pair
    divisions = [pd.Timestamp("2015-01-01"), pd.Timestamp("2015-01-15"), pd.Timestamp("2015-02-01")]
    indexed = df.set_index("t", divisions=divisions)
    assert indexed.divisions == tuple(divisions)
    assert_eq(indexed, pdf.set_index("t").sort_index())
    presorted = df.set_index("t", sorted=True)
    assert presorted.known_divisions
    assert_eq(presorted, pdf.set_index("t"))


def test_loc_labels_partial_dates_slices_and_lists(pair):
    df, pdf = pair
    indexed = df.set_index("t")
    ps = pdf.set_index("t").sort_index()
    assert_eq(indexed.loc["2015-01-05"], ps.loc["2015-01-05"])
    assert_eq(indexed.loc["2015-01"], ps.loc["2015-01"])
    assert_eq(indexed.loc["2015-01-03":"2015-01-06"], ps.loc["2015-01-03":"2015-01-06"])
    by_int = df.set_index("k")
    pk = pdf.set_index("k").sort_index(kind="stable")
    assert_eq(by_int.loc[3], pk.loc[[3]], check_index=False, sort_results=False)
    assert_eq(by_int.loc[2:4], pk.loc[2:4], check_index=False)
    assert_eq(by_int.loc[[5, 1]].i.sum(), pk.loc[[5, 1]].i.sum())
    assert_eq(indexed.loc["2015-01-05", ["i", "f"]], ps.loc["2015-01-05", ["i", "f"]])


def test_loc_reads_only_partitions_that_can_match(frame):
    df = dd.from_pandas(frame, npartitions=8).set_index("t")
    plan = df.loc["2015-01-02"].explain()
    full = df.explain()
    assert plan != full
    tasks = lambda text: int(text.strip().splitlines()[-1].split()[0]) if text.strip().splitlines()[-1].split()[0].isdigit() else None
    assert "2015" in repr(df.divisions[1])


@pytest.mark.parametrize("rule", ["1h", "6h", "D", "W", "MS", "ME"])
@pytest.mark.parametrize("how", ["mean", "sum", "count", "min", "max", "first", "last", "std", "size"])
def test_resample_matches_pandas(pair, rule, how):
    df, pdf = pair
    indexed = df.set_index("t")
    ps = pdf.set_index("t").sort_index()
    assert_eq(getattr(indexed.f.resample(rule), how)(), getattr(ps.f.resample(rule), how)())


def test_dataframe_resample_and_agg(pair):
    df, pdf = pair
    indexed = df.set_index("t")[["i", "f"]]
    ps = pdf.set_index("t").sort_index()[["i", "f"]]
    assert_eq(indexed.resample("1D").mean(), ps.resample("1D").mean())
    result = indexed.f.resample("1D").agg(["sum", "max"]).compute()
    expected = ps.f.resample("1D").agg(["sum", "max"])
    assert_eq(result, expected)


@pytest.mark.parametrize("how", ["mean", "sum", "count", "min", "max", "std"])
def test_rolling_across_partitions(pair, how):
    df, pdf = pair
    assert_eq(getattr(df.f.rolling(5), how)(), getattr(pdf.f.rolling(5), how)())
    indexed = df.set_index("t")
    ps = pdf.set_index("t").sort_index()
    assert_eq(getattr(indexed.i.rolling("24h"), how)(), getattr(ps.i.rolling("24h"), how)(), check_dtype=False)


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_merge_matches_pandas(pair, how):
    df, pdf = pair
    right = pd.DataFrame({"k": [0, 1, 2, 3, 9], "label": ["zero", "one", "two", "three", "nine"]})
    result = df.merge(dd.from_pandas(right, npartitions=2), on="k", how=how)
    expected = pdf.merge(right, on="k", how=how)
    assert_eq(result.compute().sort_values(["k", "i"]).reset_index(drop=True),
              expected.sort_values(["k", "i"]).reset_index(drop=True))
    broadcast = dd.merge(df, dd.from_pandas(right, npartitions=1), on="k", how=how)
    assert len(broadcast) == len(expected)


def test_join_on_index_and_concat(pair):
    df, pdf = pair
    other = pd.DataFrame({"extra": np.arange(len(pdf)) * 2.0}, index=pdf.index)
    assert_eq(df.join(dd.from_pandas(other, npartitions=2)), pdf.join(other), sort_results=True)
    assert_eq(dd.concat([df, df]), pd.concat([pdf, pdf]), check_index=False)


def test_repartition_and_sort_values(pair):
    df, pdf = pair
    assert dd.from_pandas(pdf, npartitions=6).repartition(npartitions=2).npartitions == 2
    assert_eq(df.repartition(npartitions=5), pdf)
    assert_eq(df.repartition(partition_size="10kB"), pdf)
    assert_eq(df.sort_values("f"), pdf.sort_values("f", kind="stable"))
    assert_eq(df.sort_values(["k", "i"], ascending=[False, True]),
              pdf.sort_values(["k", "i"], ascending=[False, True], kind="stable"))
    cleared = df.clear_divisions()
    assert not cleared.known_divisions and cleared.divisions == (None,) * (df.npartitions + 1)
    assert_eq(df.set_index("t").reset_index(), pdf.sort_values("t", kind="stable").reset_index(drop=True)
              [["t", "i", "f", "b", "s", "k"]], check_index=False)


from hypothesis import given, settings, strategies as st


@settings(max_examples=30, deadline=None)
@given(keys=st.lists(st.integers(0, 20), min_size=1, max_size=80), npartitions=st.integers(1, 9),
       threshold=st.integers(-1, 21))
def test_random_partitionings_with_empty_partitions_and_duplicate_keys(keys, npartitions, threshold):
    pdf = pd.DataFrame({"key": keys, "v": np.arange(len(keys), dtype=np.float64)})
    # a filter empties some partitions (all of them when the threshold is above every key)
    df = dd.from_pandas(pdf, npartitions=npartitions)
    df = df[df.key > threshold]
    expected = pdf[pdf.key > threshold]
    assert_eq(df.groupby("key").v.sum(), expected.groupby("key").v.sum())
    assert_eq(df.v.count(), expected.v.count())
    if len(expected):
        indexed = df.set_index("key")
        assert indexed.known_divisions
        result = indexed.compute()
        assert result.index.is_monotonic_increasing
        assert_eq(result.sort_values("v"), expected.set_index("key").sort_values("v"))
        assert_eq(indexed.loc[expected.key.iloc[0]].v.sum(),
                  expected[expected.key == expected.key.iloc[0]].v.sum())
