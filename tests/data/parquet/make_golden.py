"""Writes the small Parquet files that src/tessera/io/tests/parquet_file_test.cpp checks.

Row i of every file holds values given by formulas the C++ test recomputes: i64 = i*3-7,
i32 = i-50, f64 = i/4, s = "s" + str(i % 7) (dictionary-friendly), and every 5th row of the
nullable columns is null. Run with pyarrow installed: python make_golden.py
"""
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).parent
N = 300


def table():
    rows = range(N)
    return pa.table({
        "i64": pa.array([i * 3 - 7 for i in rows], pa.int64()),
        "i32": pa.array([i - 50 for i in rows], pa.int32()),
        "f64": pa.array([None if i % 5 == 0 else i / 4 for i in rows], pa.float64()),
        "s": pa.array([None if i % 5 == 0 else "s" + str(i % 7) for i in rows], pa.string()),
    })


def main():
    t = table()
    pq.write_table(t, HERE / "plain_v1_none.parquet", compression="none", use_dictionary=False,
                   data_page_version="1.0", row_group_size=128, data_page_size=512)
    pq.write_table(t, HERE / "dict_v2_snappy.parquet", compression="snappy", use_dictionary=True,
                   data_page_version="2.0", row_group_size=1000)
    pq.write_table(t, HERE / "delta_v2_zstd.parquet", compression="zstd", use_dictionary=False,
                   data_page_version="2.0",
                   column_encoding={"i64": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
                                    "f64": "BYTE_STREAM_SPLIT", "s": "DELTA_BYTE_ARRAY"})
    pq.write_table(t, HERE / "delta_length_gzip.parquet", compression="gzip", use_dictionary=False,
                   column_encoding={"s": "DELTA_LENGTH_BYTE_ARRAY", "i64": "PLAIN",
                                    "i32": "PLAIN", "f64": "PLAIN"})
    nested = pa.table({"id": pa.array([1, 2], pa.int64()),
                       "tags": pa.array([["a"], ["b", "c"]], pa.list_(pa.string()))})
    pq.write_table(nested, HERE / "nested_list.parquet")


if __name__ == "__main__":
    main()
