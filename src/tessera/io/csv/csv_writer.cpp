#include "tessera/io/csv/csv_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/io/file_system.hpp"

namespace tessera::io {

namespace {

constexpr size_t kFlushBytes = size_t(4) << 20;

// Appends one cell; chosen once per column so the row loop makes one indirect call per cell.
using CellWriter = void (*)(const Column& column, int64_t row, const CsvWriteOptions& options,
                            std::string* out);

void AppendQuoted(std::string_view text, const CsvWriteOptions& options, std::string* out) {
  const bool needs_quotes =
      text.find_first_of(std::string{options.sep, options.quotechar, '\n', '\r'}) != std::string_view::npos;
  if (!needs_quotes) {
    out->append(text);
    return;
  }
  out->push_back(options.quotechar);
  for (char c : text) {
    if (c == options.quotechar) out->push_back(c);
    out->push_back(c);
  }
  out->push_back(options.quotechar);
}

void AppendDouble(double value, const CsvWriteOptions& options, std::string* out) {
  char text[64];
  if (!options.float_format.empty()) {
    const int n = std::snprintf(text, sizeof text, options.float_format.c_str(), value);
    out->append(text, size_t(std::max(0, std::min(n, int(sizeof text) - 1))));
    return;
  }
  if (std::isnan(value)) {
    out->append(options.na_rep);
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "inf" : "-inf");
    return;
  }
  // Python's repr: the shortest text that reads back to the same double, with ".0" on integers.
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  std::string_view written(text, size_t(end - text));
  out->append(written);
  if (written.find_first_of(".en") == std::string_view::npos) out->append(".0");
}

template <typename T>
void WriteInteger(const Column& column, int64_t row, const CsvWriteOptions&, std::string* out) {
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, column.values<T>()[row]);
  out->append(text, size_t(end - text));
}

template <typename T>
void WriteFloat(const Column& column, int64_t row, const CsvWriteOptions& options, std::string* out) {
  AppendDouble(double(column.values<T>()[row]), options, out);
}

void WriteBool(const Column& column, int64_t row, const CsvWriteOptions&, std::string* out) {
  out->append(column.values<uint8_t>()[row] ? "True" : "False");
}

void WriteString(const Column& column, int64_t row, const CsvWriteOptions& options, std::string* out) {
  AppendQuoted(column.GetString(row), options, out);
}

void WriteCategory(const Column& column, int64_t row, const CsvWriteOptions& options, std::string* out) {
  AppendQuoted(column.dictionary()->GetString(column.values<int32_t>()[row]), options, out);
}

void WriteTimestamp(const Column& column, int64_t row, const CsvWriteOptions&, std::string* out) {
  char text[48];
  out->append(text, size_t(civil::WriteTimestamp(column.values<int64_t>()[row], text,
                                                  TicksPerSecond(column.type().unit()))));
}

void WriteDuration(const Column& column, int64_t row, const CsvWriteOptions&, std::string* out) {
  out->append(civil::FormatDurationTicks(column.values<int64_t>()[row], TicksPerSecond(column.type().unit())));
}

void WriteDate(const Column& column, int64_t row, const CsvWriteOptions&, std::string* out) {
  out->append(civil::FormatDate(column.values<int32_t>()[row]));
}

CellWriter CellWriterFor(DataType type) {
  switch (type.id()) {
    case TypeId::kBool: return WriteBool;
    case TypeId::kInt8: return WriteInteger<int8_t>;
    case TypeId::kInt16: return WriteInteger<int16_t>;
    case TypeId::kInt32: return WriteInteger<int32_t>;
    case TypeId::kInt64: return WriteInteger<int64_t>;
    case TypeId::kUInt8: return WriteInteger<uint8_t>;
    case TypeId::kUInt16: return WriteInteger<uint16_t>;
    case TypeId::kUInt32: return WriteInteger<uint32_t>;
    case TypeId::kUInt64: return WriteInteger<uint64_t>;
    case TypeId::kFloat32: return WriteFloat<float>;
    case TypeId::kFloat64: return WriteFloat<double>;
    case TypeId::kString: return WriteString;
    case TypeId::kCategorical: return WriteCategory;
    case TypeId::kTimestamp: return WriteTimestamp;
    case TypeId::kDuration: return WriteDuration;
    case TypeId::kDate: return WriteDate;
  }
  throw TypeError("cannot write " + type.ToString() + " to CSV");
}

}  // namespace

CsvWriter::CsvWriter(const std::string& path, const CsvWriteOptions& options)
    : options_(options) {
  file_ = OpenOutput(path, options.storage_options);
}

CsvWriter::~CsvWriter() = default;

void CsvWriter::WriteHeader(const Table& table) {
    if (!options_.header) return;
    bool first = true;
    if (options_.index) {
      AppendQuoted(options_.index_label.value_or(table.index_name()), options_, &buffer_);
      first = false;
    }
    for (const auto& field : table.schema().fields()) {
      if (!first) buffer_.push_back(options_.sep);
      AppendQuoted(field.name, options_, &buffer_);
      first = false;
    }
    buffer_.append(options_.lineterminator);
}

void CsvWriter::WriteRows(const Table& table) {
    std::vector<CellWriter> writers;
    for (const auto& column : table.columns()) writers.push_back(CellWriterFor(column->type()));
    const CellWriter index_writer = table.has_index() ? CellWriterFor(table.index()->type()) : nullptr;
    for (int64_t row = 0; row < table.num_rows(); ++row) {
      bool first = true;
      if (options_.index) {
        if (index_writer == nullptr) {
          buffer_.append(std::to_string(row));
        } else if (table.index()->IsValid(row)) {
          index_writer(*table.index(), row, options_, &buffer_);
        } else {
          buffer_.append(options_.na_rep);
        }
        first = false;
      }
      for (size_t c = 0; c < writers.size(); ++c) {
        if (!first) buffer_.push_back(options_.sep);
        first = false;
        const Column& column = *table.column(int(c));
        if (column.IsValid(row)) {
          writers[c](column, row, options_, &buffer_);
        } else {
          buffer_.append(options_.na_rep);
        }
      }
      buffer_.append(options_.lineterminator);
      if (buffer_.size() >= kFlushBytes) Flush();
    }
}

void CsvWriter::Close() {
  Flush();
  file_->Close();
}

void CsvWriter::Flush() {
  file_->Write(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void WriteCsvTable(const Table& table, const std::string& path, const CsvWriteOptions& options) {
  CsvWriter writer(path, options);
  writer.WriteHeader(table);
  writer.WriteRows(table);
  writer.Close();
}

std::vector<std::string> WriteCsv(const std::vector<TablePtr>& partitions, const std::string& pattern,
                                  const CsvWriteOptions& options,
                                  const std::function<std::string(size_t)>& name_function) {
  if (partitions.empty()) throw InvalidArgument("nothing to write: no partitions");
  const auto star = pattern.find('*');
  if (star == std::string::npos) {
    CsvWriter writer(pattern, options);
    writer.WriteHeader(*partitions[0]);
    for (const auto& partition : partitions) writer.WriteRows(*partition);
    writer.Close();
    return {pattern};
  }
  if (pattern.find('*', star + 1) != std::string::npos) {
    throw InvalidArgument("output path '" + pattern + "' has more than one '*'; use exactly one");
  }
  std::vector<std::string> paths;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const std::string name = name_function ? name_function(i) : std::to_string(i);
    paths.push_back(pattern.substr(0, star) + name + pattern.substr(star + 1));
    WriteCsvTable(*partitions[i], paths.back(), options);
  }
  return paths;
}

}  // namespace tessera::io
