"""Group-by results shaped as pandas shapes them: MultiIndex columns and indexes, as_index=False,
key columns as values, the index's name as key, custom Aggregations, Dask's reduction keywords,
and functions returning any object (a Series of objects)."""

from itertools import chain

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture(params=[1, 3])
def pair(request, frame):
    return dd.from_pandas(frame, npartitions=request.param), frame


def test_agg_with_lists_gives_multiindex_columns(pair):
    df, pdf = pair
    spec = {"f": ["mean", "std"], "i": ["mean", "count"]}
    result = df.groupby("s").agg(spec)
    expected = pdf.groupby("s").agg(spec)
    assert_eq(result, expected)
    assert list(result.columns) == list(expected.columns)
    assert_eq(result["f"], expected["f"])
    assert_eq(result[("i", "count")], expected[("i", "count")])
    assert_eq(df.groupby("k")[["f", "i"]].agg(["min", "max"]), pdf.groupby("k")[["f", "i"]].agg(["min", "max"]))
    assert_eq(df.groupby("k").f.agg(["sum", "count"]), pdf.groupby("k").f.agg(["sum", "count"]))


def test_several_keys_give_a_multiindex(pair):
    df, pdf = pair
    assert_eq(df.groupby(["k", "b"]).i.sum(), pdf.groupby(["k", "b"]).i.sum())
    assert_eq(df.groupby(["k", "s"])[["i", "f"]].mean(), pdf.groupby(["k", "s"])[["i", "f"]].mean())
    assert_eq(df.groupby(["k", "b"]).size(), pdf.groupby(["k", "b"]).size())
    assert_eq(df.groupby(["k", "b"]).agg({"f": ["mean", "max"]}), pdf.groupby(["k", "b"]).agg({"f": ["mean", "max"]}))
    assert_eq(df.groupby(["k", "b"]).i.sum().reset_index(), pdf.groupby(["k", "b"]).i.sum().reset_index())
    assert_eq(df.groupby(["k", "b"]).f.max().head(3), pdf.groupby(["k", "b"]).f.max().head(3))
    assert_eq(df.groupby(["k", "b"]).i.sum().persist(), pdf.groupby(["k", "b"]).i.sum())


def test_multiindex_results_keep_their_index_through_row_wise_operations(pair):
    df, pdf = pair
    mean, expected = df.groupby(["k", "b"]).f.mean(), pdf.groupby(["k", "b"]).f.mean()
    assert_eq(mean.nlargest(3), expected.nlargest(3))
    assert_eq(mean.nsmallest(2), expected.nsmallest(2))
    assert_eq(mean * 2 + 1, expected * 2 + 1)
    assert_eq(-mean.abs(), -expected.abs())
    assert_eq(mean.round(2).astype("float32"), expected.round(2).astype("float32"))
    assert_eq(mean[mean > 0], expected[expected > 0])
    assert_eq((mean > 0) & (mean < 0.2), (expected > 0) & (expected < 0.2))
    assert_eq(mean.where(mean > 0).dropna(), expected.where(expected > 0).dropna())
    assert_eq(mean.fillna(0).isin([0.0]), expected.fillna(0).isin([0.0]))
    assert_eq(mean - mean.mean(), expected - expected.mean())
    assert_eq(mean.sort_values(), expected.sort_values())
    assert_eq(mean.sort_values(ascending=False), expected.sort_values(ascending=False))


def test_as_index_false_keeps_keys_as_columns(pair):
    df, pdf = pair
    assert_eq(df.groupby("k", as_index=False).f.sum(), pdf.groupby("k", as_index=False).f.sum(), check_index=False)
    assert_eq(df.groupby(["k", "b"], as_index=False).i.sum(), pdf.groupby(["k", "b"], as_index=False).i.sum(),
              check_index=False)
    assert_eq(df.groupby("k", as_index=False)[["f", "i"]].max(), pdf.groupby("k", as_index=False)[["f", "i"]].max(),
              check_index=False)


def test_key_column_as_values_and_index_name_as_key(pair):
    df, pdf = pair
    assert_eq(df.groupby("k").k.count(), pdf.groupby("k").k.count())
    assert_eq(df[df.b].groupby("s").s.count(), pdf[pdf.b].groupby("s").s.count())
    indexed, pindexed = df.set_index("k"), pdf.set_index("k")
    assert_eq(indexed.groupby("k").f.sum(), pindexed.groupby("k").f.sum())
    assert_eq(indexed.groupby(["k", "b"]).i.max(), pindexed.groupby(["k", "b"]).i.max())


def test_dask_reduction_keywords_give_the_same_result(pair):
    df, pdf = pair
    expected = pdf.groupby("k").f.mean()
    assert_eq(df.groupby("k").f.mean(split_out=3), expected, sort_results=True)
    assert_eq(df.groupby("k").f.mean(split_every=2), expected)
    assert_eq(df.groupby("k").f.mean(shuffle_method="tasks"), expected)
    assert_eq(df.groupby("k")[["i", "f"]].sum(split_out=2), pdf.groupby("k")[["i", "f"]].sum(), sort_results=True)
    assert_eq(df.groupby("k").agg({"f": "sum"}, split_out=2), pdf.groupby("k").agg({"f": "sum"}), sort_results=True)
    assert df.groupby("k").f.mean(split_out=3).npartitions == 3
    with pytest.raises(TypeError, match="min_count"):
        df.groupby("k").f.sum(min_count=2)


def test_custom_aggregation(pair):
    df, pdf = pair
    custom_mean = dd.Aggregation(
        name="custom_mean",
        chunk=lambda s: (s.count(), s.sum()),
        agg=lambda count, total: (count.sum(), total.sum()),
        finalize=lambda count, total: total / count,
    )
    assert_eq(df.groupby("k").f.agg(custom_mean), pdf.groupby("k").f.mean())
    assert_eq(df.groupby("k").agg({"f": custom_mean, "i": custom_mean}), pdf.groupby("k")[["f", "i"]].mean()
              .astype("float64"))
    # the tutorial's group-to-list aggregation: sets per partition, merged
    to_set = dd.Aggregation("as_set", lambda s: s.apply(set),
                            lambda chunks: chunks.apply(lambda parts: set(chain(*parts))))
    result = df.groupby("k").s.agg(to_set).compute()
    expected = pdf.groupby("k").s.apply(set)
    assert list(result.index) == list(expected.index)
    assert all(result[k] == expected[k] for k in expected.index)
    assert_eq(df.groupby(["k", "b"]).i.agg(custom_mean), pdf.groupby(["k", "b"]).i.mean())


def test_series_groupby_apply(pair):
    df, pdf = pair
    assert_eq(df.groupby("k").f.apply(lambda s: s.max() - s.min(), meta=("f", "f8")),
              pdf.groupby("k").f.apply(lambda s: s.max() - s.min()))
    result = df.groupby("k").s.apply(lambda s: sorted(set(s)), meta=("s", object)).compute()
    expected = pdf.groupby("k").s.apply(lambda s: sorted(set(s)))
    assert result.to_dict() == expected.to_dict()


def test_groupby_apply_returning_objects(pair):
    df, pdf = pair

    class Model:
        def __init__(self, group):
            self.n, self.total = len(group), float(group.f.sum())

    result = df.groupby("k").apply(Model, meta=("model", object)).compute()
    assert result.dtype == object and result.name == "model"
    expected = pdf.groupby("k").f.agg(["count", "size", "sum"])
    assert list(result.index) == list(expected.index)
    assert [m.n for m in result] == list(expected["size"])
    assert np.allclose([m.total for m in result], expected["sum"])
    # without meta, inferred from the first group
    lengths = df.groupby(["k", "b"]).apply(len).compute()
    assert_eq(lengths, pdf.groupby(["k", "b"]).size(), check_names=False)


def test_map_partitions_returning_any_object(pair):
    df, pdf = pair
    types = df.map_partitions(type).compute()
    assert list(types) == [pd.DataFrame] * df.npartitions
    assert list(types.index) == list(range(df.npartitions))
    lengths = df.map_partitions(len).compute()
    assert lengths.sum() == len(pdf)
    sets = df.s.map_partitions(lambda s: set(s), meta=object).compute()
    assert set().union(*sets) == set(pdf.s)


def test_groupby_apply_with_series_meta_returning_series_per_group(pair):
    df, pdf = pair
    result = df.groupby("k").f.apply(lambda s: s.fillna(0).cumsum(), meta=("f", "f8"))
    expected = pdf.groupby("k", group_keys=False).f.apply(lambda s: s.fillna(0).cumsum())
    assert_eq(result, expected, sort_results=True)


def test_shaped_results_show_pandas_labels_and_dtypes(pair):
    df, pdf = pair
    result = df.groupby("s").agg({"f": ["mean", "std"]})
    text = repr(result)
    expected = pdf.groupby("s").agg({"f": ["mean", "std"]})
    assert "tessera DataFrame Structure" in text and "mean" in text and "std" in text
    assert list(result.dtypes) == list(expected.dtypes)
    assert "object" in repr(df.map_partitions(type))
    assert "<table" in result._repr_html_()
    numbers = pdf[["k", "f", "i"]]
    ddf = dd.from_pandas(numbers, npartitions=df.npartitions)
    assert_eq(ddf.groupby(ddf.k).agg(["sum"]), numbers.groupby(numbers.k).agg(["sum"]))
