"""More of pandas' API as Dask users call it, each against pandas on the same data, with one and
several partitions and missing values: cumulative ops, shift/diff, replace, mode, the cat
accessor, query/eval, select_dtypes, melt, iloc column selection, memory_usage, corr/cov,
to_datetime/to_numeric, group-by median/transform/cumulative ops, combine_first,
drop_duplicates' index, and arithmetic between collections aligned partition by partition."""

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture(params=[1, 4])
def pair(request, frame):
    return dd.from_pandas(frame, npartitions=request.param), frame


@pytest.fixture
def csv_pair(tmp_path, frame):
    """A frame read from CSV files: no index, unknown divisions, three partitions."""
    pdf = frame[["i", "f", "k"]]
    bounds = (0, 300, 301, len(pdf))  # one partition of a single row
    for n in range(3):
        pdf.iloc[bounds[n]:bounds[n + 1]].to_csv(tmp_path / f"part-{n}.csv", index=False)
    return dd.read_csv(str(tmp_path / "part-*.csv"), blocksize=None), pdf


# -- operations that need other partitions' rows ----------------------------------------------

@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin"])
def test_cumulative_ops_continue_across_partitions(pair, name):
    df, pdf = pair
    scaled = df.f / 10 + 1  # keeps cumprod finite
    assert_eq(getattr(scaled, name)(), getattr(pdf.f / 10 + 1, name)())
    assert_eq(getattr(df.i, name)(), getattr(pdf.i, name)())
    assert_eq(getattr(df[["i", "f"]], name)(), getattr(pdf[["i", "f"]], name)())
    assert_eq(getattr(df.f, name)(skipna=False), getattr(pdf.f, name)(skipna=False))


def test_cumulative_ops_without_an_index_and_with_short_partitions(csv_pair):
    df, pdf = csv_pair
    assert_eq(df.f.cumsum(), pdf.f.cumsum())
    assert_eq(df[["i", "f"]].cummax(), pdf[["i", "f"]].cummax())


@pytest.mark.parametrize("periods", [1, 3, -2, 0])
def test_shift_and_diff_bring_rows_from_neighbouring_partitions(pair, periods):
    df, pdf = pair
    assert_eq(df.f.shift(periods), pdf.f.shift(periods))
    assert_eq(df.i.diff(periods), pdf.i.diff(periods))
    assert_eq(df[["i", "f"]].shift(periods), pdf[["i", "f"]].shift(periods))
    assert_eq(df[["i", "f"]].diff(periods), pdf[["i", "f"]].diff(periods))


def test_shift_reaches_past_a_short_partition(csv_pair):
    df, pdf = csv_pair
    assert_eq(df.f.shift(2), pdf.f.shift(2))
    assert_eq(df.i.diff(-3), pdf.i.diff(-3))
    assert_eq(df.i.shift(1, fill_value=0), pdf.i.shift(1, fill_value=0))


def test_shift_rejects_what_it_cannot_do(pair):
    df, _ = pair
    with pytest.raises(TypeError, match="periods"):
        df.f.shift(1.5)
    with pytest.raises(NotImplementedError, match="freq"):
        df.f.shift(1, freq="1h")


# -- elementwise and per-partition pandas functions -----------------------------------------

def test_replace_values_lists_and_dicts(pair):
    df, pdf = pair
    assert_eq(df.s.replace("apple", "pear"), pdf.s.replace("apple", "pear"))
    assert_eq(df.k.replace([1, 2], 0), pdf.k.replace([1, 2], 0))
    assert_eq(df[["k", "s"]].replace({"k": {3: 30}}), pdf[["k", "s"]].replace({"k": {3: 30}}))


def test_combine_first_fills_missing_values_from_the_other_series(pair):
    df, pdf = pair
    assert_eq(df.f.combine_first(df.i * 1.0), pdf.f.combine_first(pdf.i * 1.0))
    # Series of different frames: aligned by label, partition by partition
    other = pdf.i.astype(float).iloc[::2]
    got = df.f.combine_first(dd.from_pandas(other, npartitions=df.npartitions, sort=True))
    if df.npartitions == 1 or got.known_divisions:
        assert_eq(got, pdf.f.combine_first(other))


def test_query_and_eval_with_caller_variables(pair):
    df, pdf = pair
    low = 2
    assert_eq(df.query("k > @low and f < 0.5"), pdf.query("k > @low and f < 0.5"))
    assert_eq(df.eval("i * 2 + k"), pdf.eval("i * 2 + k"))
    assert_eq(df.eval("z = i - k"), pdf.eval("z = i - k"))


def test_select_dtypes_and_iloc_column_selection(pair):
    df, pdf = pair
    assert_eq(df.select_dtypes("number"), pdf.select_dtypes("number"))
    assert_eq(df.select_dtypes(exclude=["number"]), pdf.select_dtypes(exclude=["number"]))
    assert_eq(df.iloc[:, [0, 2]], pdf.iloc[:, [0, 2]])
    assert_eq(df.iloc[:, 1:3], pdf.iloc[:, 1:3])
    assert_eq(df.iloc[:, 3], pdf.iloc[:, 3])
    with pytest.raises(NotImplementedError, match=r"iloc\[:, positions\]"):
        df.iloc[0:5]
    with pytest.raises(IndexError, match="out of range"):
        df.iloc[:, [10]]


def test_melt_in_pandas_order(pair):
    df, pdf = pair
    sub, psub = df[["k", "i", "f"]], pdf[["k", "i", "f"]]
    assert_eq(sub.melt(id_vars="k"), psub.melt(id_vars="k"))
    assert_eq(dd.melt(sub, id_vars=["k"], value_vars=["f"], var_name="v", value_name="w"),
              pd.melt(psub, id_vars=["k"], value_vars=["f"], var_name="v", value_name="w"))
    with pytest.raises(KeyError, match="nope"):
        sub.melt(id_vars="nope")


def test_to_datetime_and_to_numeric(pair):
    df, pdf = pair
    text = pdf.t.dt.strftime("%Y-%m-%d %H:%M:%S")
    dtext = dd.from_pandas(text, npartitions=df.npartitions)
    assert_eq(dd.to_datetime(dtext), pd.to_datetime(text))
    assert_eq(dd.to_datetime(dtext, format="%Y-%m-%d %H:%M:%S"), pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S"))
    numbers = pdf.i.astype(str).where(pdf.k != 3, "n/a")
    dnumbers = dd.from_pandas(numbers, npartitions=df.npartitions)
    assert_eq(dd.to_numeric(dnumbers, errors="coerce"), pd.to_numeric(numbers, errors="coerce"))
    assert dd.to_datetime("2020-01-02") == pd.Timestamp("2020-01-02")
    parts = pd.DataFrame({"year": 2000 + pdf.k, "month": pdf.k + 1, "day": pdf.k + 10})
    assert_eq(dd.to_datetime(dd.from_pandas(parts, npartitions=df.npartitions)), pd.to_datetime(parts))


def test_statistics_without_an_index(csv_pair):
    df, pdf = csv_pair
    assert_eq(df.corr(), pdf.corr(), rtol=1e-9)
    assert_eq(df.k.mode(), pdf.k.mode())
    assert_eq(df.i.diff(), pdf.i.diff())


# -- reductions -------------------------------------------------------------------------------

def test_mode(pair):
    df, pdf = pair
    assert_eq(df.k.mode(), pdf.k.mode())
    assert_eq(df.s.mode(), pdf.s.mode())
    ties = pd.Series([3.0, 1.0, np.nan, 1.0, 3.0, np.nan, np.nan])
    assert_eq(dd.from_pandas(ties, npartitions=3).mode(), ties.mode())
    assert_eq(dd.from_pandas(ties, npartitions=3).mode(dropna=False), ties.mode(dropna=False))


def test_corr_and_cov_are_pairwise_complete(pair):
    df, pdf = pair
    rng = np.random.default_rng(3)
    pdf = pdf.assign(g=np.where(rng.random(len(pdf)) < 0.3, np.nan, pdf.f * 2 + rng.normal(size=len(pdf))))
    df = dd.from_pandas(pdf, npartitions=df.npartitions)
    columns = ["i", "f", "g", "k"]
    assert_eq(df[columns].corr(), pdf[columns].corr(), rtol=1e-9)
    assert_eq(df[columns].cov(), pdf[columns].cov(), rtol=1e-9)
    assert_eq(df[columns].corr(min_periods=900), pdf[columns].corr(min_periods=900), rtol=1e-9)
    # (pandas honours ddof only for columns without missing values)
    assert_eq(df[["i", "k"]].cov(ddof=0), pdf[["i", "k"]].cov(ddof=0), rtol=1e-9)
    assert_eq(df.corr(numeric_only=True), pdf.corr(numeric_only=True), rtol=1e-9)
    with pytest.raises(ValueError, match="'s'"):
        df.corr()


def test_memory_usage_sums_the_partitions(pair):
    df, pdf = pair
    cols = ["i", "f", "k"]
    got = df[cols].memory_usage(index=False).compute()
    assert_eq(got, pdf[cols].memory_usage(index=False))
    assert df.f.memory_usage(index=False).compute() == pdf.f.memory_usage(index=False)
    with_index = df[cols].memory_usage().compute()
    assert list(with_index.index) == ["Index"] + cols and with_index["Index"] > 0


# -- categories -------------------------------------------------------------------------------

def test_cat_accessor_after_astype_category(pair):
    df, pdf = pair
    cat, pcat = df.s.astype("category"), pdf.s.astype("category")
    assert not cat.cat.known
    assert_eq(cat.cat.codes, pcat.cat.codes)
    known = cat.cat.as_known()
    assert known.cat.known
    pd.testing.assert_index_equal(known.cat.categories, pcat.cat.categories, exact=False)
    assert_eq(known.cat.codes, pcat.cat.codes)
    with pytest.raises(AttributeError, match="category"):
        df.s.cat


# -- group-by ---------------------------------------------------------------------------------

def test_groupby_median_is_exact(pair):
    df, pdf = pair
    assert_eq(df.groupby("k").f.median(), pdf.groupby("k").f.median())
    assert_eq(df.groupby(["k", "b"]).i.median(), pdf.groupby(["k", "b"]).i.median())
    assert_eq(df.groupby(df.t.dt.day).f.median(), pdf.groupby(pdf.t.dt.day).f.median())
    assert_eq(df.groupby("k").median(numeric_only=True), pdf.groupby("k").median(numeric_only=True))
    assert_eq(df.groupby(["k", "b"])[["i", "f"]].median(), pdf.groupby(["k", "b"])[["i", "f"]].median())
    assert_eq(df.groupby("k", as_index=False)[["f"]].median(), pdf.groupby("k", as_index=False)[["f"]].median())
    with pytest.raises(TypeError, match="'s'"):
        df.groupby("k").median()


@pytest.mark.parametrize("function", ["mean", "sum", "count", "max", "std", "median", "size"])
def test_groupby_transform_by_name_keeps_rows_in_place(pair, function):
    df, pdf = pair
    assert_eq(df.groupby("k").f.transform(function), pdf.groupby("k").f.transform(function))
    assert_eq(df.groupby("s").i.transform(function), pdf.groupby("s").i.transform(function))


def test_groupby_transform_with_a_function_and_missing_keys(pair):
    df, pdf = pair
    pdf = pdf.assign(g=pdf.k.where(pdf.k != 2))  # missing keys get no value, as in pandas
    df = dd.from_pandas(pdf, npartitions=df.npartitions)
    assert_eq(df.groupby("g").i.transform("sum"), pdf.groupby("g").i.transform("sum"))
    got = df.groupby("k").f.transform(lambda s: s - s.mean())
    assert_eq(got, pdf.groupby("k").f.transform(lambda s: s - s.mean()), sort_results=True)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "cumcount"])
def test_groupby_cumulative_ops_keep_partitions_and_order(pair, name):
    df, pdf = pair
    pdf = pdf.assign(g=pdf.f / 10 + 1, h=pdf.k.where(pdf.k != 4))
    df = dd.from_pandas(pdf, npartitions=df.npartitions)
    assert_eq(getattr(df.groupby("k").g, name)(), getattr(pdf.groupby("k").g, name)())
    assert_eq(getattr(df.groupby("s").i, name)(), getattr(pdf.groupby("s").i, name)())
    assert_eq(getattr(df.groupby("h").g, name)(), getattr(pdf.groupby("h").g, name)())


def test_groupby_cumsum_without_an_index(csv_pair):
    df, pdf = csv_pair
    assert_eq(df.groupby("k").f.cumsum(), pdf.groupby("k").f.cumsum())
    assert_eq(df.groupby("k").i.cumcount(), pdf.groupby("k").i.cumcount())


# -- alignment ---------------------------------------------------------------------------------

def test_arithmetic_between_group_by_results_aligns_them(pair):
    df, pdf = pair
    assert_eq(df.groupby("k").f.sum() / df.groupby("k").i.sum(), pdf.groupby("k").f.sum() / pdf.groupby("k").i.sum())
    assert_eq(df.groupby("k").f.sum() / df.groupby("k").f.count(), pdf.groupby("k").f.sum() / pdf.groupby("k").f.count())
    # different groups on each side: labels of either side, as pandas
    left = df[df.k < 5].groupby("k").i.sum()
    right = df[df.k > 1].groupby("k").i.max()
    assert_eq(left - right, pdf[pdf.k < 5].groupby("k").i.sum() - pdf[pdf.k > 1].groupby("k").i.max())


def test_arithmetic_between_group_by_results_of_several_keys(pair):
    df, pdf = pair
    assert_eq(df.groupby(["k", "b"]).f.sum() / df.groupby(["k", "b"]).i.sum(),
              pdf.groupby(["k", "b"]).f.sum() / pdf.groupby(["k", "b"]).i.sum())
    assert_eq(df.groupby(["k", "b"]).f.sum() - df.groupby("k").f.mean(),
              pdf.groupby(["k", "b"]).f.sum() - pdf.groupby("k").f.mean())


def test_series_of_different_frames_align_by_divisions(frame):
    a = frame.f.iloc[::2]
    b = frame.i.astype(float).iloc[::3]
    da, db = dd.from_pandas(a, npartitions=3), dd.from_pandas(b, npartitions=2)
    assert_eq(da + db, a + b)   # known divisions: repartitioned to their union
    unknown_a = dd.from_pandas(a.to_frame(), npartitions=3).clear_divisions().f
    unknown_b = dd.from_pandas(b.to_frame(), npartitions=2).clear_divisions().i
    with pytest.raises(ValueError, match="3 and 2 partitions"):
        unknown_a + unknown_b


def test_frame_minus_its_column_means(pair):
    df, pdf = pair
    cols = ["i", "f", "k"]
    assert_eq(df[cols] - df[cols].mean(), pdf[cols] - pdf[cols].mean())
    assert_eq(df[cols] / df[cols].std(), pdf[cols] / pdf[cols].std())
    assert_eq(df[cols] - df.f.mean(), pdf[cols] - pdf.f.mean())
    if df.npartitions > 1:
        with pytest.raises(NotImplementedError, match="one partition"):
            df[cols] - df.f


def test_drop_duplicates_keeps_the_first_rows_labels(pair):
    df, pdf = pair
    assert_eq(df[["k", "b"]].drop_duplicates(), pdf[["k", "b"]].drop_duplicates(), sort_results=True)
    assert_eq(df.drop_duplicates(subset=["k"]), pdf.drop_duplicates(subset=["k"]), sort_results=True)
    got = df[["k", "b"]].drop_duplicates(ignore_index=True).compute()
    expected = pdf[["k", "b"]].drop_duplicates(ignore_index=True)
    pd.testing.assert_frame_equal(got.sort_values(["k", "b"], ignore_index=True),
                                  expected.sort_values(["k", "b"], ignore_index=True))


def test_assigning_shifted_and_cumulative_columns(pair):
    df, pdf = pair
    df["prev"] = df.f.shift(1)
    df["total"] = df.i.cumsum()
    df["mean_k"] = df.groupby("k").f.transform("mean")
    df["run_k"] = df.groupby("k").i.cumsum()
    pdf = pdf.assign(prev=pdf.f.shift(1), total=pdf.i.cumsum(), mean_k=pdf.groupby("k").f.transform("mean"),
                     run_k=pdf.groupby("k").i.cumsum())
    assert_eq(df, pdf)
    # a shift of a filtered frame lines up by label, as pandas
    df["pos"] = df[df.f > 0].f.shift(1)
    assert_eq(df.pos, pdf[pdf.f > 0].f.shift(1).reindex(pdf.index).rename("pos"))


def test_assigning_shifted_columns_without_an_index(csv_pair):
    df, pdf = csv_pair
    df["prev"] = df.f.shift(1)
    assert_eq(df, pdf.assign(prev=pdf.f.shift(1)))
    df["bad"] = df[df.k > 2].f.shift(1)
    with pytest.raises(ValueError, match="'bad'.*other rows"):
        df.compute()
