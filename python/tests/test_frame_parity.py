"""Frames and Series as Dask users reach for them: partition-wise assignment of map_partitions
and apply results, DataFrame.rolling, the str accessor, mask/where with a Series, loc without an
index, to_csv(name_function=), visualize and resample's freq, each against pandas."""

import os

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq


@pytest.fixture(params=[1, 3])
def pair(request, frame):
    return dd.from_pandas(frame, npartitions=request.param), frame


@pytest.fixture
def csv_pair(tmp_path, frame):
    """A frame read from CSV files: no index, unknown divisions."""
    pdf = frame[["i", "f", "s", "k"]].assign(s=frame.s.replace("", "none"))  # "" reads back as missing
    bounds = (0, 334, 667, len(pdf))
    for n in range(3):
        pdf.iloc[bounds[n]:bounds[n + 1]].to_csv(tmp_path / f"part-{n}.csv", index=False)
    return dd.read_csv(str(tmp_path / "part-*.csv"), blocksize=None), pdf


def test_assigning_partitionwise_results_aligns_them(pair):
    df, pdf = pair
    df["z"] = df.map_partitions(lambda p: p.i * 2 + p.k)
    pdf["z"] = pdf.i * 2 + pdf.k
    df["w"] = df.apply(lambda row: row.i - row.k, axis=1, meta=("w", "int64"))
    pdf["w"] = pdf.i - pdf.k
    df["v"] = df.i.apply(lambda v: v * 10, meta=("v", "int64")) + 1
    pdf["v"] = pdf.i * 10 + 1
    df["u"] = df.z + df.map_partitions(lambda p: p.w)
    pdf["u"] = pdf.z + pdf.w
    assert_eq(df, pdf)
    assert_eq(df.assign(t2=df.map_partitions(lambda p: p.k * 0.5)), pdf.assign(t2=pdf.k * 0.5))


def test_assigning_partitionwise_results_without_an_index(csv_pair):
    df, pdf = csv_pair
    df["z"] = df.map_partitions(lambda p: p.i + p.k)
    df["n"] = df.s.apply(len, meta=("n", "int64"))
    expected = pdf.assign(z=pdf.i + pdf.k, n=pdf.s.map(len))
    assert_eq(df, expected, check_index=False)


def test_assigning_rows_of_another_frame_is_an_error(pair):
    df, pdf = pair
    other = dd.from_pandas(pdf.iloc[::2], npartitions=2)
    with pytest.raises(ValueError, match="align"):
        df["z"] = other.map_partitions(lambda p: p.i)


@pytest.mark.parametrize("window", [3, 20])
def test_frame_rolling_rows(pair, window):
    df, pdf = pair
    numeric = pdf[["i", "f", "k"]]
    assert_eq(df[["i", "f", "k"]].rolling(window).mean(), numeric.rolling(window).mean())
    assert_eq(df[["i", "f"]].rolling(window, min_periods=1).sum(), numeric[["i", "f"]].rolling(window, min_periods=1).sum())
    assert_eq(df[["f"]].rolling(window).std(), numeric[["f"]].rolling(window).std())


def test_frame_rolling_time_window_across_partitions():
    ts = pd.DataFrame({"x": np.arange(96.0), "y": np.sin(np.arange(96.0))},
                      index=pd.date_range("2000-01-01", periods=96, freq="1h"))
    df = dd.from_pandas(ts, npartitions=4)
    assert df.known_divisions
    assert_eq(df.rolling("24h").mean(), ts.rolling("24h").mean())
    assert_eq(df.rolling("30h").max(), ts.rolling("30h").max())
    assert_eq(df.x.rolling("5h").sum(), ts.x.rolling("5h").sum())


def test_frame_rolling_window_longer_than_a_partition_is_an_error(frame):
    df = dd.from_pandas(frame[["i", "f"]], npartitions=40)
    with pytest.raises(ValueError, match="repartition"):
        df.rolling(60).mean().compute()


@pytest.fixture
def text_pair():
    pdf = pd.DataFrame({"s": ["alpha-1", "beta-22", None, "gamma-333", "", "dürian-4", "x"] * 5,
                        "t": ["a", "b", "c", "d", "e", "f", "g"] * 5})
    return dd.from_pandas(pdf, npartitions=3), pdf


def test_str_slicing_and_methods(text_pair):
    df, pdf = text_pair
    s, ps = df.s, pdf.s
    assert_eq(s.str[:3], ps.str[:3])
    assert_eq(s.str[-2:], ps.str[-2:])
    assert_eq(s.str[1], ps.str[1])
    assert_eq(s.str[::2], ps.str[::2])
    assert_eq(s.str.get(0), ps.str.get(0))
    assert_eq(s.str.pad(10, fillchar="*"), ps.str.pad(10, fillchar="*"))
    assert_eq(s.str.zfill(12), ps.str.zfill(12))
    assert_eq(s.str.find("a"), ps.str.find("a"))
    assert_eq(s.str.count("a"), ps.str.count("a"))
    # without missing values pandas gives int64 positions and counts
    full, pfull = df.t, pdf.t
    assert_eq(full.str.find("b"), pfull.str.find("b"))
    assert_eq(full.str.count("c"), pfull.str.count("c"))
    assert str(full.str.find("b").compute().dtype) == "int64"
    assert_eq(s.str.extract(r"-(\d+)$"), ps.str.extract(r"-(\d+)$"))
    assert_eq(s.str.extract(r"(?P<word>[a-z]+)-(?P<number>\d+)"), ps.str.extract(r"(?P<word>[a-z]+)-(?P<number>\d+)"))
    assert_eq(s.str.replace(r"\d", "#", regex=True), ps.str.replace(r"\d", "#", regex=True))
    assert_eq(s.str.title(), ps.str.title())
    assert_eq(s.str.split("-"), ps.str.split("-"))
    assert_eq(s.str.split("-", n=1, expand=True), ps.str.split("-", n=1, expand=True))
    assert_eq(s.str.cat(df.t, sep="/"), ps.str.cat(pdf.t, sep="/"))
    with pytest.raises(NotImplementedError, match="n="):
        s.str.split("-", expand=True)


def test_mask_and_where_with_a_series(pair):
    df, pdf = pair
    cond = (df.f > 0.5) & (df.f < 0.8)
    pcond = (pdf.f > 0.5) & (pdf.f < 0.8)
    df["g"] = df.f.mask(cond=cond, other=df.f * 100)
    pdf["g"] = pdf.f.mask(cond=pcond, other=pdf.f * 100)
    assert_eq(df, pdf)
    assert_eq(df.i.where(df.i > 0, -df.i), pdf.i.where(pdf.i > 0, -pdf.i))


def test_loc_without_an_index_selects_in_every_partition(csv_pair):
    df, pdf = csv_pair
    parts = [pdf.iloc[:334], pdf.iloc[334:667], pdf.iloc[667:]]
    expected = pd.concat([p.reset_index(drop=True).loc[[0]] for p in parts])
    assert_eq(df.loc[0], expected)
    expected = pd.concat([p.reset_index(drop=True).loc[1:2, ["i", "s"]] for p in parts])
    assert_eq(df.loc[1:2, ["i", "s"]], expected)


def test_to_csv_name_function_returns_absolute_paths(tmp_path, pair):
    df, pdf = pair
    os.chdir(tmp_path)
    paths = df.to_csv("out-*.csv", index=False, name_function=lambda n: f"2000-01-{n + 1:02d}")
    assert paths == [str(tmp_path / f"out-2000-01-{n + 1:02d}.csv") for n in range(df.npartitions)]
    back = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    assert back.i.tolist() == pdf.i.tolist()
    plain = df.to_csv(str(tmp_path / "plain-*.csv"))
    assert all(os.path.isabs(p) and os.path.exists(p) for p in plain)


class _RecordingDigraph:
    """Stands in for graphviz.Digraph: records what visualize draws."""

    drawn = []

    def __init__(self, format=None):
        self.nodes, self.edges = {}, []
        _RecordingDigraph.drawn.append(self)

    def node(self, key, label=None, **attributes):
        self.nodes[key] = label

    def edge(self, tail, head):
        self.edges.append((tail, head))

    def render(self, filename, cleanup=True):
        return f"{filename}.svg"


def test_visualize_frames_series_and_scalars(tmp_path, pair, monkeypatch):
    import sys
    import types
    monkeypatch.setitem(sys.modules, "graphviz", types.SimpleNamespace(Digraph=_RecordingDigraph))
    df, _ = pair
    for obj in (df[df.i > 0], df.f + 1, df.f.sum(), df.groupby("k").f.mean(), df.groupby(["k", "b"]).f.sum()):
        path = obj.visualize(filename=str(tmp_path / "graph"), format="svg")
        assert path == str(tmp_path / "graph") + ".svg"
        graph = _RecordingDigraph.drawn[-1]
        plan = [line.strip() for line in obj.explain().splitlines() if line.strip() and not line.startswith("tasks:")]
        assert len(graph.nodes) == len([line for line in plan if not line.startswith("(shared)")])
        assert set(graph.nodes.values()) <= set(plan)
        assert len(graph.edges) == len(plan) - 1  # a tree: every step but the result feeds one other
        assert all(tail in graph.nodes and head in graph.nodes for tail, head in graph.edges)
    tessera.visualize(df.f.sum(), df.i.max(), filename=str(tmp_path / "both"), format="svg")
    both = _RecordingDigraph.drawn[-1]
    assert len([label for label in both.nodes.values() if "sum" in label.lower()]) >= 1
    assert len([label for label in both.nodes.values() if "max" in label.lower()]) >= 1


def test_resample_keeps_freq():
    ts = pd.DataFrame({"x": np.arange(100.0), "y": np.arange(100) % 7},
                      index=pd.date_range("2000-01-01", periods=100, freq="17min"))
    df = dd.from_pandas(ts, npartitions=3)
    for rule in ("1h", "D", "ME"):
        result = df.x.resample(rule).mean().compute()
        expected = ts.x.resample(rule).mean()
        assert result.index.freq == expected.index.freq
        assert_eq(result, expected, check_freq=True)
    assert_eq(df.resample("2h").sum(), ts.resample("2h").sum(), check_freq=True)


def test_assigning_a_column_of_objects(pair):
    df, pdf = pair
    df["kind"] = df.map_partitions(lambda p: p.i.map(lambda v: {"even": v % 2 == 0}), meta=("kind", object))
    result = df.compute()
    assert [d["even"] for d in result.kind] == list(pdf.i % 2 == 0)
    assert_eq(result.drop(columns=["kind"]), pdf)


def test_frame_where_and_mask_with_a_series_or_frame_as_other():
    pdf = pd.DataFrame({"a": [1.0, -2.0, 3.0, -4.0, 5.0, -6.0], "b": [-1.0, 2.0, -3.0, 4.0, -5.0, 6.0]})
    df = dd.from_pandas(pdf, npartitions=3)
    fill = pdf.a * 10
    assert_eq(df.where(df.a > 0, df.a * 10, axis=0), pdf.where(pdf.a > 0, fill, axis=0))
    assert_eq(df.mask(df.a > 0, df.a * 10, axis="index"), pdf.mask(pdf.a > 0, fill, axis="index"))
    assert_eq(df.where(df > 0), pdf.where(pdf > 0))
    assert_eq(df.mask(df > 0, -df), pdf.mask(pdf > 0, -pdf))
    with pytest.raises(ValueError, match="axis=0"):
        df.where(df.a > 0, df.a)


def test_frame_operators_work_column_by_column():
    pdf = pd.DataFrame({"a": [1.0, -2.0, 3.0, -4.0], "b": [5, -6, 7, -8]})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df > 0, pdf > 0)
    assert_eq(df * 2 + 1, pdf * 2 + 1)
    assert_eq(10 - df, 10 - pdf)
    assert_eq(df + df, pdf + pdf)
    assert_eq(-df, -pdf)
    assert_eq(~(df > 0), ~(pdf > 0))
    assert_eq(df[df.a > 0] / 2, pdf[pdf.a > 0] / 2)
    assert_eq((df > 0) & (df < 5), (pdf > 0) & (pdf < 5))  # sibling projections of one frame
    assert_eq(df.mask((df > 0) & (df < 5), -df), pdf.mask((pdf > 0) & (pdf < 5), -pdf))
    with pytest.raises(NotImplementedError, match="different columns"):
        df + df[["a"]]


def test_arithmetic_with_lazy_reductions(pair):
    """s - s.mean() and friends stay lazy: the reduction is computed in the same graph."""
    df, pdf = pair
    centred = (df.f - df.f.mean()) / df.f.std()
    assert "Scalar" not in type(centred).__name__
    assert_eq(centred, (pdf.f - pdf.f.mean()) / pdf.f.std())
    assert_eq((df.f - df.f.mean()) / df.f.mean(), (pdf.f - pdf.f.mean()) / pdf.f.mean())
    assert_eq(df.i / df.i.sum(), pdf.i / pdf.i.sum())
    assert_eq(df.i.sum() - df.i, pdf.i.sum() - pdf.i)
    assert_eq(2 * df.f.max() - df.f, 2 * pdf.f.max() - pdf.f)
    assert_eq(df.f / (df.f.sum() / df.f.count()), pdf.f / (pdf.f.sum() / pdf.f.count()))
    assert_eq(df[df.f > df.f.mean()], pdf[pdf.f > pdf.f.mean()])
    assert_eq(df.assign(z=df.i - df.i.mean()), pdf.assign(z=pdf.i - pdf.i.mean()))
    assert_eq((df.f - df.f.mean()) * (df.i - df.i.min()), (pdf.f - pdf.f.mean()) * (pdf.i - pdf.i.min()))
    df["share"] = df.i / df.i.sum()
    assert_eq(df, pdf.assign(share=pdf.i / pdf.i.sum()))


def test_series_sort_values(pair):
    df, pdf = pair
    assert_eq(df.f.sort_values(), pdf.f.sort_values(kind="stable"))
    assert_eq(df.i.sort_values(ascending=False), pdf.i.sort_values(ascending=False, kind="stable"))
    assert_eq((df.i * 2).rename(None).sort_values(), (pdf.i * 2).rename(None).sort_values(kind="stable"))

