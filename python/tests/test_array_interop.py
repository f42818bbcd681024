"""tessera.array with DataFrames, Zarr, xarray and Dask."""

import numpy as np
import pandas as pd
import pytest

import tessera
import tessera.array as da
import tessera.dataframe as dd

RNG = np.random.default_rng(8)


def test_dataframe_to_dask_array_and_values():
    pdf = pd.DataFrame({"x": RNG.normal(size=103), "y": RNG.integers(0, 9, 103), "z": RNG.random(103)})
    df = dd.from_pandas(pdf, npartitions=4)
    arr = df[["x", "y"]].to_dask_array(lengths=True)
    assert arr.chunks[1] == (2,) and sum(arr.chunks[0]) == 103 and len(arr.chunks[0]) == 4
    np.testing.assert_array_equal(arr.compute(), pdf[["x", "y"]].to_numpy())
    np.testing.assert_array_equal(df.z.values.compute(), pdf.z.to_numpy())
    np.testing.assert_allclose(df.values.mean(axis=0).compute(), pdf.to_numpy().mean(axis=0))
    u, s, v = da.linalg.svd(df[["x", "z"]].to_dask_array(lengths=True))
    np.testing.assert_allclose(s.compute(), np.linalg.svd(pdf[["x", "z"]].to_numpy(), compute_uv=False))
    with pytest.raises(ValueError, match="partition lengths"):
        df.to_dask_array(lengths=[1, 2, 3, 4])


def test_zarr_roundtrip_and_store(tmp_path):
    zarr = pytest.importorskip("zarr")
    data = RNG.normal(size=(30, 20))
    x = da.from_array(data, chunks=(8, 5))
    x.to_zarr(str(tmp_path / "a.zarr"))
    back = da.from_zarr(str(tmp_path / "a.zarr"))
    assert back.chunks == x.chunks
    np.testing.assert_array_equal(back.compute(), data)
    np.testing.assert_allclose((back * 2).sum(axis=0).compute(), (data * 2).sum(axis=0))
    target = np.zeros((30, 20))
    da.store(x + 1, target)
    np.testing.assert_array_equal(target, data + 1)
    z = zarr.open_array(str(tmp_path / "b.zarr"), mode="w", shape=(30, 20), chunks=(10, 10), dtype=float)
    x.store(z)
    np.testing.assert_array_equal(z[:], data)
    with pytest.raises(ValueError, match="regular chunks"):
        da.from_array(data, chunks=((10, 5, 15), (20,))).to_zarr(str(tmp_path / "c.zarr"))


def test_xarray_chunk_manager():
    xr = pytest.importorskip("xarray")
    from tessera.array.xarray_manager import TesseraChunkManager
    manager = TesseraChunkManager()
    data = RNG.normal(size=(12, 10))
    arr = xr.DataArray(data, dims=("time", "x"), coords={"time": np.arange(12)})
    chunked = arr.chunk({"time": 5}, chunked_array_type=manager)
    assert isinstance(chunked.data, da.Array)
    assert chunked.chunks == ((5, 5, 2), (10,))
    result = (chunked - chunked.mean("time")).std("x")
    assert isinstance(result.data, da.Array)
    np.testing.assert_allclose(result.compute().values, (data - data.mean(0)).std(1))
    np.testing.assert_allclose(chunked.sum().values, data.sum())
    rolled = chunked.rolling(time=3).mean()
    np.testing.assert_allclose(rolled.compute().values, arr.rolling(time=3).mean().values)


def test_xarray_open_dataset_with_tessera_chunks(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("zarr")
    from tessera.array.xarray_manager import TesseraChunkManager
    ds = xr.Dataset({"t": (("time", "x"), RNG.random((20, 8)))}, coords={"time": np.arange(20)})
    ds.to_zarr(str(tmp_path / "ds.zarr"), mode="w")
    opened = xr.open_dataset(str(tmp_path / "ds.zarr"), engine="zarr", chunks={"time": 10},
                             chunked_array_type=TesseraChunkManager())
    assert isinstance(opened.t.data, da.Array) and opened.t.chunks == ((10, 10), (8,))
    np.testing.assert_allclose(opened.t.mean("time").values, ds.t.mean("time").values)
    np.testing.assert_allclose(opened.t.groupby(opened.time % 2).mean().values,
                               ds.t.groupby(ds.time % 2).mean().values)


def test_dask_compute_and_persist_with_tessera_arrays():
    dask = pytest.importorskip("dask")
    x = da.random.default_rng(0).random((20, 30), chunks=(7, 11))
    ref = x.compute()
    (total,) = dask.compute(x.sum())
    np.testing.assert_allclose(total, ref.sum())
    (p,) = dask.persist(x + 1)
    np.testing.assert_allclose(p.compute(), ref + 1)
    a, b = tessera.compute(x.T, x[::3].max())
    np.testing.assert_array_equal(a, ref.T)
    assert b == ref[::3].max()


def test_task_stream_groups_array_tasks_by_prefix():
    from tessera.distributed import Client, get_task_stream
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        x = da.random.default_rng(2).random((40, 40), chunks=(10, 20))
        y = x + x.T
        with get_task_stream(client) as ts:
            total = y.sum().compute()
        keys = [r["key"] for r in ts.data]
    prefixes = {(k if isinstance(k, str) else k[0]).rsplit("-", 1)[0] for k in keys}
    assert {"random", "transpose", "add", "sum_chunk", "sum-aggregate"} <= prefixes, prefixes
    assert {k[1] for k in keys if not isinstance(k, str) and k[0].startswith("add-")} == set(range(y.npartitions))  # C-order block positions
    ref = da.random.default_rng(2).random((40, 40), chunks=-1).compute()
    np.testing.assert_allclose(total, (ref + ref.T).sum())


def test_xarray_finds_the_tessera_chunk_manager_by_name():
    xr = pytest.importorskip("xarray")
    import importlib
    import pathlib
    import tomllib
    pyproject = pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml"
    target = tomllib.loads(pyproject.read_text())["project"]["entry-points"]["xarray.chunkmanagers"]["tessera"]
    module, cls = target.split(":")
    assert importlib.import_module(module).__dict__[cls].__name__ == "TesseraChunkManager"
    from xarray.namedarray.parallelcompat import list_chunkmanagers
    if "tessera" not in list_chunkmanagers():
        pytest.skip("the installed tessera predates the entry point (reinstall the wheel)")
    arr = xr.DataArray(np.arange(12.0).reshape(3, 4), dims=("a", "b")).chunk({"a": 2}, chunked_array_type="tessera")
    assert isinstance(arr.data, da.Array)
    np.testing.assert_allclose(arr.mean("a").values, np.arange(12.0).reshape(3, 4).mean(0))


def test_visualize_draws_the_graph(tmp_path):
    pytest.importorskip("graphviz")
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot program is not installed")
    x = da.ones((4, 4), chunks=2)
    path = (x + 1).sum().visualize(filename=str(tmp_path / "g"), format="svg")
    import html
    import re
    labels = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", open(path).read())}
    assert labels == {"ones", "add", "sum_chunk", "sum-aggregate"}


def test_graphs_are_plain_dask_graphs():
    """The same graphs run on Dask's own threaded scheduler and pickle (for a distributed cluster)."""
    dask = pytest.importorskip("dask")
    cloudpickle = pytest.importorskip("cloudpickle")
    import pickle

    import scipy.ndimage as ndi
    x = da.random.default_rng(1).random((60, 50), chunks=(17, 20))
    arrays = [(x + x.T[:50, :60].T)[::2, 25:].mean(axis=1),
              x.map_overlap(ndi.gaussian_filter, depth=3, boundary="reflect", sigma=1),
              da.linalg.svd(x.rechunk({1: -1}))[1], x.rechunk(7).std(axis=0), da.topk(x.ravel(), 3),
              x[x > 0.5], x.cumsum(axis=0)]
    for a in arrays:
        pickle.loads(cloudpickle.dumps(a.__dask_graph__()))
    on_dask = dask.compute(*arrays, scheduler="threads")
    for a, value in zip(arrays, on_dask):
        np.testing.assert_allclose(value, a.compute())


def test_progress_bar_completes_for_array_computations():
    import io

    from tessera.diagnostics import ProgressBar
    x = da.random.random((400, 400), chunks=50)
    out = io.StringIO()
    with ProgressBar(out=out) as bar:
        total = (x + 1).sum().compute()
    assert bar.last_fraction == 1.0
    assert out.getvalue().rstrip().split("\r")[-1].startswith("[" + "#" * 40 + "] | 100% Completed")
    assert 400 * 400 < total < 2 * 400 * 400


def test_array_bench_reports_both_libraries():
    pytest.importorskip("dask")
    import io

    from tessera import bench
    out = io.StringIO()
    report = bench.array(scale=0.02, cases=["tutorial", "svd"], out=out)
    libs = {(r["case"], r["lib"]) for r in report["rows"]}
    assert libs == {("tutorial", "tessera"), ("tutorial", "dask"), ("svd", "tessera"), ("svd", "dask")}
    assert set(report["tessera_over_dask"]) == {"tutorial", "svd"}
    assert all(r["s"] > 0 and r["peak_rss_bytes"] > 0 for r in report["rows"])
    assert all(r["peak_over_input"] >= 1 for r in report["rows"] if r["case"] == "svd")  # input included


def test_persisted_blocks_are_released_when_the_array_goes():
    import gc
    import weakref
    gc.collect()
    gc.disable()  # without the collector, only reference counting may free them
    try:
        y = da.random.random((300, 300), chunks=100).persist()
        y.sum().compute()
        tracked = [weakref.ref(h.result()) for h in y._layers[y.name].values()]  # the kept blocks
        del y
        assert all(r() is None for r in tracked)
    finally:
        gc.enable()
