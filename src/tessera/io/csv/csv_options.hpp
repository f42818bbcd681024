// Options of the CSV reader and writer, named and defaulted as in pandas.read_csv / to_csv.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tessera/io/storage_options.hpp"
#include "tessera/table/data_type.hpp"

namespace tessera::io {

struct CsvReadOptions {
  char sep = ',';
  /// Row number of the header after `skiprows`; -1 means the file has no header (pandas
  /// header=None), and columns are named by `names` or "0", "1", ...
  int header = 0;
  /// Column names; with a header they replace it.
  std::vector<std::string> names;
  /// Columns to keep, by name (file order is kept, as pandas does).
  std::vector<std::string> usecols;
  /// Declared dtypes by column name ("int64", "float64", "string", "category", ...).
  std::map<std::string, std::string> dtype;
  /// Columns to parse as timestamps.
  std::vector<std::string> parse_dates;
  /// strftime-style layout for parse_dates columns when they are not ISO 8601.
  std::string date_format;
  /// Time unit of parse_dates columns: microseconds, as pandas 3 and Arrow read text (pandas 2
  /// gives nanoseconds). Digits finer than the unit are dropped, toward the past. A declared
  /// dtype (dtype={'t': 'datetime64[ns]'}) keeps its own unit.
  TimeUnit date_unit = TimeUnit::kMicro;
  /// Extra strings read as missing, on top of pandas' defaults when keep_default_na.
  std::vector<std::string> na_values;
  bool keep_default_na = true;
  char quotechar = '"';
  /// Physical lines to skip at the start of every file (before the header).
  int64_t skiprows = 0;
  /// Read at most this many data rows in total.
  std::optional<int64_t> nrows;
  /// Lines starting with this character are skipped; text after it on a line is ignored.
  std::optional<char> comment;
  /// "utf-8" (with or without byte-order mark) is the only encoding read.
  std::string encoding = "utf-8";
  /// "infer" (from .gz / .zst), "gzip", "zstd" or "none".
  std::string compression = "infer";
  bool skip_blank_lines = true;
  /// Target bytes per partition; each file is split at row boundaries into blocks this large.
  int64_t blocksize = int64_t(64) << 20;
  /// Threads used by ReadCsv (0 = all cores).
  int num_threads = 0;
  /// Bytes sampled at the start, middle and end of every file to infer column types.
  int64_t sample_bytes = int64_t(256) << 10;
  /// Credentials and endpoint for s3://, gs:// and http(s):// paths (Dask's storage_options).
  StorageOptions storage_options;
};

/// Calls visit(name, field) for every option of read_csv that a caller sets by its pandas
/// name (bindings, command lines), so the names live here beside the fields and nowhere else.
/// (num_threads and sample_bytes are tuning knobs of the C++ API, not pandas options.)
template <typename Visit>
void VisitCsvReadOptions(CsvReadOptions& o, Visit&& visit) {
  visit("sep", o.sep);
  visit("header", o.header);
  visit("names", o.names);
  visit("usecols", o.usecols);
  visit("dtype", o.dtype);
  visit("parse_dates", o.parse_dates);
  visit("date_format", o.date_format);
  visit("date_unit", o.date_unit);
  visit("na_values", o.na_values);
  visit("keep_default_na", o.keep_default_na);
  visit("quotechar", o.quotechar);
  visit("skiprows", o.skiprows);
  visit("nrows", o.nrows);
  visit("comment", o.comment);
  visit("encoding", o.encoding);
  visit("compression", o.compression);
  visit("skip_blank_lines", o.skip_blank_lines);
  visit("blocksize", o.blocksize);
}

struct CsvWriteOptions {
  char sep = ',';
  /// Write the index (the table's index column, or row numbers 0..n-1 when it has none).
  bool index = true;
  /// Label of the index column in the header (defaults to the index name, or empty).
  std::optional<std::string> index_label;
  bool header = true;
  /// Text written for missing values.
  std::string na_rep;
  char quotechar = '"';
  std::string lineterminator = "\n";
  /// printf-style format for floats (e.g. "%.2f"); empty = shortest text that round-trips.
  std::string float_format;
  /// strftime-style layout for timestamps; empty = ISO "YYYY-MM-DD HH:MM:SS[.fff]".
  std::string date_format;
  /// Credentials and endpoint for s3:// and gs:// outputs (Dask's storage_options).
  StorageOptions storage_options;
  /// File names replacing the '*' of an output pattern, one per partition (Dask's
  /// name_function, evaluated by the caller); empty: the partition numbers.
  std::vector<std::string> partition_names;
};

}  // namespace tessera::io
