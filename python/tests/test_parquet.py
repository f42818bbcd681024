"""read_parquet over files written by pyarrow, Polars and DuckDB with every type, encoding,
page version and codec tessera reads, checked against pyarrow's own reading; projection and
filter pushdown, hive partitions, divisions, and errors."""

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tessera.dataframe as dd
from tessera.dataframe.utils import assert_eq

N = 2000


def typed_table(n=N, seed=3):
    rng = np.random.default_rng(seed)
    valid = rng.random(n) > 0.15
    ints = rng.integers(-1000, 1000, n)
    words = np.array(["alpha", "beta", "gamma", "dürian", "", "x" * 40])
    return pa.table({
        "i8": pa.array(ints % 120, pa.int8()),
        "i16": pa.array(ints * 30, pa.int16()),
        "i32": pa.array(ints * 100000, pa.int32()),
        "i64": pa.array(np.sort(ints.astype(np.int64) * 10**12), pa.int64()),
        "u8": pa.array(np.abs(ints) % 250, pa.uint8()),
        "u16": pa.array(np.abs(ints) * 60, pa.uint16()),
        "u32": pa.array(np.abs(ints).astype(np.uint32) * 4000000, pa.uint32()),
        "u64": pa.array(np.abs(ints).astype(np.uint64) * (2**53), pa.uint64()),
        "f32": pa.array(rng.normal(size=n).astype(np.float32), pa.float32()),
        "f64": pa.array(np.where(valid, rng.normal(size=n), None), pa.float64()),
        "b": pa.array(rng.random(n) < 0.3, pa.bool_()),
        "nb": pa.array([bool(v) if ok else None for v, ok in zip(rng.random(n) < 0.5, valid)], pa.bool_()),
        "s": pa.array([str(w) if ok else None for w, ok in zip(rng.choice(words, n), valid)], pa.string()),
        "u": pa.array([f"id-{i}-{i * 7919 % 1000}" for i in range(n)], pa.string()),
        "t_ms": pa.array(1_420_070_400_000 + ints * 3_600_000, pa.timestamp("ms")),
        "t_us": pa.array(1_420_070_400_000_000 + ints * 1_000_003, pa.timestamp("us")),
        "t_ns": pa.array(np.where(valid, 1_420_070_400_000_000_000 + ints * 999_999_937, None), pa.timestamp("ns")),
        "d": pa.array([datetime.date(2015, 1, 1) + datetime.timedelta(days=int(v)) for v in ints], pa.date32()),
        "ni": pa.array(np.where(valid, ints, None), pa.int64()),
    })


def expected_of(path, columns=None):
    return normalized(pq.read_table(path, columns=columns).to_pandas())


def normalized(expected):
    # Nullable booleans are object columns in both; tessera marks their missing values NaN as
    # pandas' own constructors do, pyarrow None.
    for name in expected.columns:
        if expected[name].dtype == object:
            expected[name] = expected[name].astype(object).where(expected[name].notna(), np.nan)
    return expected


def check_file(path, columns=None):
    result = dd.read_parquet(str(path), columns=columns).compute()
    assert_eq(result, expected_of(path, columns), check_index=False)


@pytest.mark.parametrize("compression", ["none", "snappy", "gzip", "zstd", "lz4", "brotli"])
@pytest.mark.parametrize("use_dictionary", [True, False])
@pytest.mark.parametrize("data_page_version", ["1.0", "2.0"])
def test_pyarrow_types_codecs_and_page_versions(tmp_path, compression, use_dictionary, data_page_version):
    path = tmp_path / "t.parquet"
    pq.write_table(typed_table(), path, compression=compression, use_dictionary=use_dictionary,
                   data_page_version=data_page_version, row_group_size=700, data_page_size=4096)
    check_file(path)


ENCODINGS = {
    "i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "u16": "DELTA_BINARY_PACKED",
    "ni": "DELTA_BINARY_PACKED", "t_us": "DELTA_BINARY_PACKED",
    "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT",
    "s": "DELTA_LENGTH_BYTE_ARRAY", "u": "DELTA_BYTE_ARRAY",
}


@pytest.mark.parametrize("data_page_version", ["1.0", "2.0"])
@pytest.mark.parametrize("compression", ["none", "zstd"])
def test_pyarrow_delta_and_byte_stream_split_encodings(tmp_path, data_page_version, compression):
    path = tmp_path / "t.parquet"
    pq.write_table(typed_table(), path, compression=compression, use_dictionary=False,
                   column_encoding=ENCODINGS, data_page_version=data_page_version, data_page_size=2048)
    columns = pq.ParquetFile(path).metadata.row_group(0)
    found = {columns.column(i).path_in_schema: columns.column(i).encodings for i in range(columns.num_columns)}
    assert "DELTA_BYTE_ARRAY" in found["u"] and "BYTE_STREAM_SPLIT" in found["f64"]
    check_file(path)


def test_decimals_read_as_float64(tmp_path):
    import decimal
    values = [decimal.Decimal("12345.6789"), decimal.Decimal("-0.0001"), None, decimal.Decimal("99999999.9999")]
    path = tmp_path / "dec.parquet"
    pq.write_table(pa.table({"d4": pa.array(values, pa.decimal128(12, 4)),
                             "d38": pa.array(values, pa.decimal128(38, 4))}), path)
    result = dd.read_parquet(str(path)).compute()
    expected = [12345.6789, -0.0001, np.nan, 99999999.9999]
    np.testing.assert_allclose(result.d4.to_numpy(), expected, rtol=1e-15)
    np.testing.assert_allclose(result.d38.to_numpy(), expected, rtol=1e-15)
    assert result.d4.dtype == np.float64


def test_polars_files(tmp_path):
    pl = pytest.importorskip("polars")
    frame = pl.from_arrow(typed_table())
    for compression in ["uncompressed", "snappy", "zstd", "lz4", "gzip", "brotli"]:
        path = tmp_path / f"polars-{compression}.parquet"
        frame.write_parquet(path, compression=compression, row_group_size=500, statistics=True)
        check_file(path)


def test_duckdb_files(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    table = typed_table().drop_columns(["u64"])  # DuckDB's UBIGINT round trip is covered by pyarrow files
    con = duckdb.connect()
    con.register("t", table)
    for compression in ["uncompressed", "snappy", "zstd", "gzip", "lz4", "brotli"]:
        path = tmp_path / f"duck-{compression}.parquet"
        con.execute(f"COPY t TO '{path}' (FORMAT PARQUET, COMPRESSION {compression}, ROW_GROUP_SIZE 1024)")
        check_file(path)


def test_projection_reads_only_the_used_columns_and_explains_it(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(typed_table(), path, row_group_size=500)
    df = dd.read_parquet(str(path))
    assert df.npartitions == 1  # 4 small row groups grouped under the default blocksize
    assert dd.read_parquet(str(path), split_row_groups=True).npartitions == 4
    assert dd.read_parquet(str(path), split_row_groups=3).npartitions == 2
    result = df[["i32", "s"]]
    assert "(2 of 19 columns)" in result.explain()
    assert_eq(result.compute(), expected_of(path, ["i32", "s"]), check_index=False)
    assert_eq(dd.read_parquet(str(path), columns="u16").compute(), expected_of(path, ["u16"]).u16,
              check_index=False)


def test_filters_skip_row_groups_and_filter_rows(tmp_path):
    path = tmp_path / "sorted.parquet"
    table = typed_table()
    pq.write_table(table, path, row_group_size=250)  # i64 is sorted: 8 row groups with disjoint ranges
    pdf = expected_of(path)
    cut = int(pdf.i64.iloc[1500])
    df = dd.read_parquet(str(path), filters=[("i64", ">=", cut)], split_row_groups=True)
    # check_dtype=False: a nullable bool column whose kept rows hold no missing value is bool in
    # tessera and stays object in pandas.
    assert_eq(df.compute(), pdf[pdf.i64 >= cut], check_index=False, check_dtype=False)
    plan = df.explain()
    assert "filters" in plan and "of 8 row groups" in plan, plan
    assert df.npartitions < 8
    # A filter written after reading is pushed into the reader too.
    later = dd.read_parquet(str(path), split_row_groups=True)
    later = later[(later.i64 < int(pdf.i64.iloc[300])) & (later.s == "beta")]
    assert "2 of 8 row groups" in later.explain()
    assert_eq(later.compute(), pdf[(pdf.i64 < int(pdf.i64.iloc[300])) & (pdf.s == "beta")], check_index=False,
              check_dtype=False)
    # OR of AND groups, and 'in'
    filters = [[("i32", ">", 0), ("s", "in", ["alpha", "gamma"])], [("u8", "==", 7)]]
    got = dd.read_parquet(str(path), filters=filters, columns=["i32", "s"]).compute()
    mask = ((pdf.i32 > 0) & pdf.s.isin(["alpha", "gamma"])) | (pdf.u8 == 7)
    assert_eq(got, pdf.loc[mask, ["i32", "s"]], check_index=False)


def test_hive_partitioned_directories(tmp_path):
    table = typed_table().select(["i32", "f64", "s"]).append_column(
        "year", pa.array(np.repeat([2014, 2015, 2016, 2017], N // 4))).append_column(
        "kind", pa.array(np.tile(["a", "b"], N // 2)))
    pq.write_to_dataset(table, tmp_path / "ds", partition_cols=["year", "kind"])
    (tmp_path / "ds" / "_SUCCESS").write_text("")
    df = dd.read_parquet(str(tmp_path / "ds"))
    assert df.npartitions == 8
    assert df.dtypes["year"] == "category" and df.dtypes["kind"] == "category"
    expected = pq.read_table(tmp_path / "ds").to_pandas()
    result = df.compute()
    for key in ["year", "kind"]:
        assert sorted(result[key].cat.categories) == sorted(str(c) for c in expected[key].cat.categories)
    sort = ["year", "kind", "i32", "s"]
    got = result.astype({"year": "int64", "kind": str}).sort_values(sort).reset_index(drop=True)
    want = expected.astype({"year": "int64", "kind": str}).sort_values(sort).reset_index(drop=True)
    assert_eq(got, want)
    only = dd.read_parquet(str(tmp_path / "ds"), filters=[("year", ">=", 2016), ("kind", "==", "b")])
    assert only.npartitions == 2  # the other directories are not read
    assert "2 of 8 row groups" in only.explain()
    sub = want[(want.year >= 2016) & (want.kind == "b")]
    got = only.compute().astype({"year": "int64", "kind": str}).sort_values(sort).reset_index(drop=True)
    assert_eq(got, sub.reset_index(drop=True))


def test_index_and_calculate_divisions(tmp_path):
    keys = np.cumsum(np.random.default_rng(5).integers(1, 4, 1000))  # sorted, not a range
    pdf = pd.DataFrame({"key": keys, "v": np.arange(1000) % 13}).set_index("key")
    path = tmp_path / "indexed.parquet"
    pdf.to_parquet(path, row_group_size=100)
    df = dd.read_parquet(str(path), split_row_groups=True)
    assert df.index.name == "key"  # pandas' index recorded in the file
    assert not df.known_divisions
    assert_eq(df, pdf)
    known = dd.read_parquet(str(path), split_row_groups=True, calculate_divisions=True)
    assert known.known_divisions and known.npartitions == 10
    assert known.divisions == tuple(keys[::100]) + (keys[-1],)
    lo, hi = int(keys[410]), int(keys[620])
    part = known.loc[lo:hi]
    assert "Partitions" in part.explain() or part.npartitions == 3
    assert_eq(part, pdf.loc[lo:hi])
    flat = dd.read_parquet(str(path), index=False).compute()
    assert list(flat.columns) == ["v", "key"]  # pandas stores the index after the columns
    other = dd.read_parquet(str(path), index="v", columns=["key"]).compute()
    assert other.index.name == "v" and list(other.columns) == ["key"]


def test_lists_globs_and_schema_mismatch(tmp_path):
    a = typed_table(300, seed=1)
    b = typed_table(200, seed=2)
    pq.write_table(a, tmp_path / "a.parquet")
    pq.write_table(b, tmp_path / "b.parquet")
    expected = normalized(pd.concat([a.to_pandas(), b.to_pandas()], ignore_index=True))
    assert_eq(dd.read_parquet(str(tmp_path / "*.parquet")).compute(), expected, check_index=False)
    assert_eq(dd.read_parquet([tmp_path / "a.parquet", tmp_path / "b.parquet"]).compute(), expected, check_index=False)
    c = typed_table(10)
    c = c.set_column(c.schema.get_field_index("i32"), "i32", pa.array(["text"] * 10))
    pq.write_table(c, tmp_path / "c.parquet")
    with pytest.raises(TypeError, match=r"'i32'.*c\.parquet"):
        dd.read_parquet(str(tmp_path / "*.parquet"))


def test_errors_name_file_row_group_and_column(tmp_path):
    text = tmp_path / "text.parquet"
    text.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"text\.parquet.*not a Parquet file"):
        dd.read_parquet(str(text))
    with pytest.raises(OSError, match="missing"):
        dd.read_parquet(str(tmp_path / "missing.parquet"))
    with pytest.raises(KeyError, match="nope"):
        dd.read_parquet(str(_write(tmp_path)), columns=["nope"])
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"id": [1, 2], "tags": [["a"], ["b", "c"]]}), nested)
    with pytest.raises(NotImplementedError, match="'tags'.*nested"):
        dd.read_parquet(str(nested))
    assert_eq(dd.read_parquet(str(nested), columns=["id"]).compute(), pd.DataFrame({"id": [1, 2]}))
    # Corrupt column data: the page bytes of a column chunk are overwritten.
    good = _write(tmp_path)
    data = bytearray(good.read_bytes())
    meta = pq.ParquetFile(good).metadata.row_group(0).column(1)
    start = meta.data_page_offset + 20
    data[start:start + 40] = b"\xff" * 40
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(bytes(data))
    with pytest.raises((ValueError, NotImplementedError), match=r"bad\.parquet.*row group 0 column 'i16'"):
        dd.read_parquet(str(bad)).compute()


def _write(tmp_path):
    path = tmp_path / "small.parquet"
    pq.write_table(typed_table(100), path, compression="snappy", use_dictionary=False)
    return path


def writable_frame(n=3000):
    rng = np.random.default_rng(11)
    return pd.DataFrame({
        "i": rng.integers(-10**12, 10**12, n),
        "i8": rng.integers(-100, 100, n).astype("int8"),
        "u32": rng.integers(0, 2**32 - 1, n).astype("uint32"),
        "f": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        "f32": rng.normal(size=n).astype("float32"),
        "b": rng.random(n) < 0.5,
        "s": rng.choice(["apple", "banana", "", "dürian"], n),
        "t": pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 10**15, n), unit="us"),
        "k": rng.choice(["x", "y", "z"], n),
    })


@pytest.mark.parametrize("compression", [None, "snappy", "gzip", "zstd", "lz4", "brotli"])
def test_to_parquet_reads_back_in_pyarrow_polars_and_duckdb(tmp_path, compression):
    pdf = writable_frame()
    df = dd.from_pandas(pdf, npartitions=3)
    paths = df.to_parquet(tmp_path / "out", compression=compression, write_index=False, row_group_size=400)
    assert [p.rsplit("/", 1)[1] for p in paths] == ["part.0.parquet", "part.1.parquet", "part.2.parquet"]
    expected = pdf.reset_index(drop=True)
    back = pq.read_table(tmp_path / "out").to_pandas()
    assert_eq(back, expected, check_dtype=False)
    meta = pq.ParquetFile(paths[0]).metadata
    assert meta.num_row_groups == 3  # 1000 rows in groups of 400
    stats = meta.row_group(1).column(0).statistics
    part = pdf.iloc[400:800]
    assert stats.has_min_max and stats.min == part.i.min() and stats.max == part.i.max()
    assert meta.row_group(0).column(3).statistics.null_count == int(pdf.f.iloc[:400].isna().sum())
    pl = pytest.importorskip("polars")
    polars_back = pl.read_parquet(str(tmp_path / "out" / "*.parquet")).to_pandas()
    assert_eq(polars_back, expected, check_dtype=False)
    duckdb = pytest.importorskip("duckdb")
    duck_back = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 'out' / '*.parquet'}')").df()
    assert_eq(duck_back.astype({"t": "datetime64[us]"}), expected, check_dtype=False)
    # and tessera itself, with statistics filters over its own files
    again = dd.read_parquet(str(tmp_path / "out"), split_row_groups=True, filters=[("i8", ">", 90)])
    assert_eq(again.compute(), expected[expected.i8 > 90], check_index=False)


def test_to_parquet_index_name_function_and_partition_on(tmp_path):
    pdf = writable_frame(600).set_index("i").sort_index()
    df = dd.from_pandas(pdf, npartitions=2)
    df.to_parquet(tmp_path / "indexed", name_function=lambda i: f"chunk-{i}.parquet")
    assert sorted(p.name for p in (tmp_path / "indexed").iterdir()) == ["chunk-0.parquet", "chunk-1.parquet"]
    back = pq.read_table(tmp_path / "indexed").to_pandas()
    assert back.index.name == "i"
    assert_eq(back, pdf, check_dtype=False)
    assert_eq(dd.read_parquet(str(tmp_path / "indexed")), pdf)
    paths = dd.from_pandas(pdf.reset_index(), npartitions=2).to_parquet(tmp_path / "hive", partition_on=["k"],
                                                                        write_index=False)
    assert {p.split("/")[-2] for p in paths} == {"k=x", "k=y", "k=z"}
    hive = pq.read_table(tmp_path / "hive").to_pandas()
    got = hive.astype({"k": str}).sort_values(["i"]).reset_index(drop=True)
    want = pdf.reset_index()[list(hive.columns)].sort_values(["i"]).reset_index(drop=True)
    assert_eq(got, want, check_dtype=False)
    with pytest.raises(KeyError, match="nope"):
        df.to_parquet(tmp_path / "bad", partition_on=["nope"])
    with pytest.raises(ValueError, match="lzma"):
        df.to_parquet(tmp_path / "bad", compression="lzma")
