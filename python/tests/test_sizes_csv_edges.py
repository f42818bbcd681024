"""Size arguments as Dask takes them (blocksize, partition_size, memory_limit), and read_csv at
the edges (dtype=bool, many files, wide headers), with pandas as the oracle."""

import os
import resource

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera import _core
from tessera.distributed import Client
from tessera.dataframe.utils import assert_eq


@pytest.fixture
def csv_file(tmp_path):
    frame = pd.DataFrame({"a": np.arange(2000), "b": np.arange(2000) * 0.5})
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return str(path), frame


@pytest.mark.parametrize("blocksize", ["8kB", "8 kB", "8KB", "8k", "8 KiB", "8kib", 8000, 8000.0, "8e3", "8000", np.int64(8000)])
def test_read_csv_blocksize_forms(csv_file, blocksize):
    path, frame = csv_file
    df = dd.read_csv(path, blocksize=blocksize)
    assert df.npartitions > 1
    assert_eq(df, pd.read_csv(path), check_index=False)


@pytest.mark.parametrize("blocksize", ["lots", "abc", "", "-5kB", -1, 0.5, "80%", "5 foos", True, [1], float("nan")])
def test_read_csv_bad_blocksize_names_argument_and_forms(csv_file, blocksize):
    path, _ = csv_file
    with pytest.raises(ValueError, match="blocksize") as error:
        dd.read_csv(path, blocksize=blocksize)
    assert "300 MiB" in str(error.value)


def test_parse_byte_size_matches_dask_values():
    # The values dask.utils.parse_bytes gives.
    cases = {"100": 100, "100 MB": 10**8, "100M": 10**8, "5kB": 5000, "5.4 kB": 5400, "1kiB": 1024,
             "1e6": 10**6, "1e6 kB": 10**9, "MB": 10**6, 123: 123, "1TB": 10**12, "300 MiB": 300 * 2**20}
    for text, expected in cases.items():
        assert _core.parse_byte_size(text, "size") == expected, text


def test_repartition_partition_size_forms(csv_file):
    path, frame = csv_file
    df = dd.read_csv(path)
    assert_eq(df.repartition(partition_size="4kB"), frame, check_index=False)
    with pytest.raises(ValueError, match="partition_size"):
        df.repartition(partition_size="lots")


@pytest.mark.parametrize("limit,expected", [
    ("300MB", 300 * 10**6), ("300 MiB", 300 * 2**20), (300 * 10**6, 300 * 10**6), (3e8, 3 * 10**8),
    ("1TB", 10**12),
])
def test_client_memory_limit_forms(limit, expected):
    with Client(n_workers=1, threads_per_worker=1, memory_limit=limit, dashboard_address=None) as client:
        assert client.scheduler_info["memory_limit"] == expected


def test_client_memory_limit_share_of_ram():
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    with Client(n_workers=1, threads_per_worker=1, memory_limit="25%", dashboard_address=None) as client:
        assert abs(client.scheduler_info["memory_limit"] - total // 4) <= 1
    with Client(n_workers=1, threads_per_worker=1, memory_limit=0.25, dashboard_address=None) as client:
        assert abs(client.scheduler_info["memory_limit"] - total // 4) <= 1


@pytest.mark.parametrize("limit", [0, None, "0"])
def test_client_memory_limit_zero_or_none_means_no_limit(limit):
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    with Client(n_workers=2, threads_per_worker=1, memory_limit=limit, dashboard_address=None) as client:
        assert client.scheduler_info["memory_limit"] > 1000 * total
        assert "no limit" in repr(client.cluster)
        df = dd.from_pandas(pd.DataFrame({"x": range(1000)}), npartitions=4).persist()
        assert df.x.sum().compute() == sum(range(1000))
        assert client.scheduler_info.get("spilled_bytes", 0) == 0


@pytest.mark.parametrize("limit", ["abc", "-1GB", -5, "150%", "lots of it", True, [1]])
def test_client_bad_memory_limit(limit):
    with pytest.raises(ValueError, match="memory_limit") as error:
        Client(n_workers=1, threads_per_worker=1, memory_limit=limit, dashboard_address=None)
    assert "80%" in str(error.value)


def test_read_csv_dtype_bool_as_pandas(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("word,digit,number,x\nTrue,1,1.0,1\nfalse,0,0.0,2\ntRuE,1,1e0,3\nFaLsE,0,-0,4\n")
    dtype = {"word": bool, "digit": bool, "number": "bool"}
    assert_eq(dd.read_csv(str(path), dtype=dtype), pd.read_csv(path, dtype=dtype), check_index=False)
    for bad in ["2", "yes", ""]:
        path.write_text(f"flag,x\n1,1\n0,2\n{bad},3\n")
        with pytest.raises(ValueError):
            pd.read_csv(path, dtype={"flag": bool})
        with pytest.raises(ValueError, match=r"line 4 column 'flag'"):
            dd.read_csv(str(path), dtype={"flag": bool}).compute()


def test_lazy_read_csv_of_thousands_of_files_under_low_open_file_limit(tmp_path):
    for i in range(3000):
        (tmp_path / f"part-{i:05d}.csv").write_text(f"a,b\n{i},x\n{i + 3000},y\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        before = len(os.listdir("/proc/self/fd"))
        df = dd.read_csv(str(tmp_path / "part-*.csv"))
        assert len(os.listdir("/proc/self/fd")) - before <= 2
        result = df.compute()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert df.npartitions == 3000
    expected = pd.concat([pd.read_csv(tmp_path / f"part-{i:05d}.csv") for i in range(3000)], ignore_index=True)
    assert_eq(result.reset_index(drop=True), expected)


def test_read_csv_wide_header(tmp_path):
    frame = pd.DataFrame(np.arange(3 * 20000).reshape(3, 20000), columns=[f"c{i}" for i in range(20000)])
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    assert_eq(dd.read_csv(str(path)), pd.read_csv(path), check_index=False)


def test_header_only_files_give_the_dtypes_pandas_gives(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("a,b,c\n")
    for kwargs in [{}, {"parse_dates": ["a"]}, {"dtype": {"b": float}}, {"dtype": {"b": "str"}, "parse_dates": ["a"]}]:
        expected = pd.read_csv(path, **kwargs)
        df = dd.read_csv(str(path), **kwargs)
        assert df.dtypes.to_dict() == expected.dtypes.to_dict(), kwargs
        result = df.compute()
        assert result.dtypes.to_dict() == expected.dtypes.to_dict(), kwargs
        assert len(result) == 0 and list(result.columns) == ["a", "b", "c"]
    # A glob where one file has rows reads as usual.
    (tmp_path / "rows.csv").write_text("a,b,c\nx,1,2.5\n")
    both = dd.read_csv(str(tmp_path / "*.csv")).compute()
    assert both.b.tolist() == [1] and str(both.a.dtype) == str(pd.read_csv(tmp_path / "rows.csv").a.dtype)
