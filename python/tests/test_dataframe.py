"""Everyday DataFrame and Series operations against pandas."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture(params=[1, 3, 7])
def pair(request, frame):
    return dd.from_pandas(frame, npartitions=request.param), frame


def test_columns_dtypes_structure(pair):
    df, pdf = pair
    assert list(df.columns) == list(pdf.columns)
    assert df.dtypes["i"] == np.dtype("int64")
    assert df.dtypes["t"] == pdf.dtypes["t"]  # the input's unit (us under pandas 3, ns under 2)
    assert df.i.dtype == np.dtype("int64")
    assert "npartitions=" in repr(df)
    assert "<table" in df._repr_html_()
    assert len(df) == len(pdf)
    assert df.shape[1] == pdf.shape[1]
    assert df.shape[0].compute() == len(pdf)


def test_column_access_and_projection(pair):
    df, pdf = pair
    assert_eq(df.i, pdf.i)
    assert_eq(df["f"], pdf["f"])
    assert_eq(df[["s", "i"]], pdf[["s", "i"]])
    with pytest.raises(KeyError, match="nope"):
        df["nope"]
    with pytest.raises(AttributeError):
        df.nope


def test_arithmetic_and_comparisons(pair):
    df, pdf = pair
    assert_eq(df.i + df.f, pdf.i + pdf.f)
    assert_eq(df.i * 2 - 1, pdf.i * 2 - 1)
    assert_eq(1 - df.f, 1 - pdf.f)
    assert_eq(df.f / df.i, pdf.f / pdf.i)
    assert_eq(df.i // 3, pdf.i // 3)
    assert_eq(df.i % 3, pdf.i % 3)
    assert_eq(df.f ** 2, pdf.f ** 2)
    assert_eq(-df.i, -pdf.i)
    assert_eq(abs(df.f), abs(pdf.f))
    assert_eq(df.i > 0, pdf.i > 0)
    assert_eq(df.f <= 0.5, pdf.f <= 0.5)
    assert_eq(df.s == "apple", pdf.s == "apple")
    assert_eq((df.i > 0) & ~df.b, (pdf.i > 0) & ~pdf.b)
    assert_eq((df.i > 0) | df.b, (pdf.i > 0) | pdf.b)
    assert_eq(df.t > pd.Timestamp("2015-01-10"), pdf.t > pd.Timestamp("2015-01-10"))


def test_filters_keep_index_labels(pair):
    df, pdf = pair
    assert_eq(df[df.i > 10], pdf[pdf.i > 10])
    assert_eq(df[(df.i > 0) & (df.s != "apple")].f, pdf[(pdf.i > 0) & (pdf.s != "apple")].f)
    tip_frac = (df.f / df.i)[df.i > 0]
    assert_eq(tip_frac.mean(), ((pdf.f / pdf.i)[pdf.i > 0]).mean())


def test_assign_setitem_drop_rename_astype(pair):
    df, pdf = pair
    assert_eq(df.assign(z=df.i * 2, c=1.5), pdf.assign(z=pdf.i * 2, c=1.5))
    df2 = df.assign()
    df2["z"] = df2.f + 1
    assert_eq(df2, pdf.assign(z=pdf.f + 1))
    assert_eq(df.drop(columns=["s"]), pdf.drop(columns=["s"]))
    assert_eq(df.rename(columns={"i": "ii"}), pdf.rename(columns={"i": "ii"}))
    assert_eq(df.astype({"i": "float64"}), pdf.astype({"i": "float64"}))
    assert_eq(df.i.astype("float32"), pdf.i.astype("float32"))


def test_null_handling(pair):
    df, pdf = pair
    assert_eq(df.f.isnull(), pdf.f.isnull())
    assert_eq(df.f.notna(), pdf.f.notna())
    assert_eq(df.f.fillna(0), pdf.f.fillna(0))
    assert_eq(df.dropna(), pdf.dropna())
    assert_eq(df.dropna(subset=["f"]), pdf.dropna(subset=["f"]))
    assert_eq(df.f.where(df.i > 0, -1.0), pdf.f.where(pdf.i > 0, -1.0))
    assert_eq(df.f.mask(df.i > 0), pdf.f.mask(pdf.i > 0))
    assert_eq(df.f.clip(-0.5, 0.5), pdf.f.clip(-0.5, 0.5))
    assert_eq(df.i.between(-10, 10), pdf.i.between(-10, 10))
    assert_eq(df.s.isin(["apple", "cherry"]), pdf.s.isin(["apple", "cherry"]))
    assert_eq(df.f.round(2), pdf.f.round(2))


def test_reductions(pair):
    df, pdf = pair
    for name in ["sum", "mean", "count", "min", "max", "var", "std", "nunique"]:
        assert_eq(getattr(df.f, name)(), getattr(pdf.f, name)())
        assert_eq(getattr(df.i, name)(), getattr(pdf.i, name)())
    assert_eq(df.f.std(ddof=0), pdf.f.std(ddof=0))
    assert_eq(df.b.any(), pdf.b.any())
    assert_eq(df.b.all(), pdf.b.all())
    assert_eq(df.i.idxmax(), pdf.i.idxmax())
    assert_eq(df.f.idxmin(), pdf.f.idxmin())
    assert_eq(df.t.min(), pdf.t.min())
    assert_eq(df[["i", "f"]].sum(), pdf[["i", "f"]].sum())
    assert_eq(df[["i", "f"]].mean(), pdf[["i", "f"]].mean())
    assert_eq(df[["i", "f"]].count(), pdf[["i", "f"]].count())


def test_value_counts_unique_nlargest(pair):
    df, pdf = pair
    assert_eq(df.k.value_counts(), pdf.k.value_counts(), sort_results=True)
    assert_eq(df.s.value_counts(normalize=True), pdf.s.value_counts(normalize=True), sort_results=True)
    assert sorted(df.k.unique().compute().tolist()) == sorted(pdf.k.unique().tolist())
    assert_eq(df.i.nlargest(5), pdf.i.nlargest(5))
    assert_eq(df.f.nsmallest(3), pdf.f.nsmallest(3))
    assert_eq(df.nlargest(4, "f"), pdf.nlargest(4, "f"))


def test_describe(pair):
    df, pdf = pair
    result = df.i.describe().compute()
    expected = pdf.i.describe()
    for label in ["count", "mean", "std", "min", "max"]:
        assert result[label] == pytest.approx(expected[label])


def test_datetime_and_string_accessors(pair):
    df, pdf = pair
    for field in ["year", "month", "day", "hour", "minute", "second", "dayofweek"]:
        assert_eq(getattr(df.t.dt, field), getattr(pdf.t.dt, field), check_dtype=False)
    assert_eq(df.t.dt.floor("1h"), pdf.t.dt.floor("1h"))
    assert_eq(df.t.dt.normalize(), pdf.t.dt.normalize())
    ascii_rows = ~pdf.s.str.contains("ü")  # case mapping covers ASCII (see the README)
    assert_eq(df.s[df.s != "dürian"].str.upper(), pdf.s[ascii_rows].str.upper())
    assert_eq(df.s.str.len(), pdf.s.str.len(), check_dtype=False)
    assert_eq(df.s.str.contains("an"), pdf.s.str.contains("an"))
    assert_eq(df.s.str.startswith("b"), pdf.s.str.startswith("b"))
    assert_eq(df.s.str.slice(0, 2), pdf.s.str.slice(0, 2))
    assert_eq(df.s.str.replace("a", "A"), pdf.s.str.replace("a", "A"))


def test_head_tail_partitions(pair):
    df, pdf = pair
    assert_eq(df.head(7), pdf.head(7))
    assert_eq(df.tail(4), pdf.tail(4))
    assert_eq(df.i.head(3), pdf.i.head(3))
    first = df.partitions[0].compute()
    assert len(first) > 0
    assert_eq(first, pdf.iloc[: len(first)])
    with pytest.raises(IndexError, match="out of range"):
        df.partitions[df.npartitions]


def test_persist_then_compute_is_the_same(pair):
    df, pdf = pair
    persisted = df.persist()
    assert_eq(persisted, pdf)
    assert_eq(persisted.i.sum(), pdf.i.sum())


def test_map_partitions_infers_meta_from_real_rows(pair):
    df, pdf = pair
    seen = []

    def add_column(part):
        seen.append(part["s"].iloc[0] if len(part) else None)
        return part.assign(z=part.i * 10)

    assert_eq(df.map_partitions(add_column), pdf.assign(z=pdf.i * 10))
    assert "foo" not in seen  # no made-up values reach the function
    assert_eq(df.map_partitions(lambda p: p.i + 1), pdf.i + 1)
    assert_eq(df.i.map_partitions(lambda s: s * 2), pdf.i * 2)


def test_apply_row_wise_and_elementwise(pair):
    df, pdf = pair
    assert_eq(df.apply(lambda row: row["i"] * 2, axis=1, meta=("x", "int64")),
              pdf.apply(lambda row: row["i"] * 2, axis=1).rename("x"))
    assert_eq(df.i.apply(lambda v: v + 1), pdf.i.apply(lambda v: v + 1))


def test_wrong_meta_gives_a_clear_error(pair):
    df, _ = pair
    wrong = df.map_partitions(lambda p: p.assign(z=1.0), meta=pd.DataFrame({"only": pd.Series([], dtype="int64")}))
    with pytest.raises(Exception, match="meta"):
        wrong.compute()


def test_failing_python_function_raises_its_own_exception(pair):
    df, _ = pair

    def broken(part):
        if len(part) and part.i.iloc[0] > -1000:
            raise ZeroDivisionError("boom in a partition")
        return part

    with pytest.raises(ZeroDivisionError, match="boom in a partition"):
        df.map_partitions(broken, meta=df._meta).compute()
    # the engine is still usable
    assert df.i.count().compute() == 1000


@settings(max_examples=25, deadline=None)
@given(data=st.lists(st.tuples(st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=False, width=32)),
                     min_size=0, max_size=60),
       npartitions=st.integers(1, 8))
def test_random_frames_match_pandas(data, npartitions):
    pdf = pd.DataFrame(data, columns=["k", "v"]).astype({"k": "int64", "v": "float64"})
    df = dd.from_pandas(pdf, npartitions=npartitions)
    assert_eq(df[df.k > 0], pdf[pdf.k > 0])
    assert_eq(df.v.sum(), pdf.v.sum())
    assert_eq(df.v.count(), pdf.v.count())
    assert_eq((df.v * df.k).max(), (pdf.v * pdf.k).max())
    if len(pdf):
        assert_eq(df.groupby("k").v.sum(), pdf.groupby("k").v.sum())
