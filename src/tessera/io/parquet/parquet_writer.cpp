#include "tessera/io/parquet/parquet_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "tessera/base/error.hpp"
#include "tessera/io/file_system.hpp"
#include "tessera/io/parquet/compression.hpp"
#include "tessera/io/parquet/encoding.hpp"
#include "tessera/io/parquet/thrift_serialization.hpp"

namespace tessera::io::parquet {
namespace {

using format::Type;

constexpr int64_t kPageRows = int64_t(1) << 17;

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

// One column as written: its schema element and how to encode a row range of it.
class ColumnWriter {
 public:
  ColumnWriter(std::string name, ColumnPtr column) : name_(std::move(name)), column_(std::move(column)) {
    element_.__set_name(name_);
    element_.__set_repetition_type(format::FieldRepetitionType::OPTIONAL);
    const DataType type = column_->type();
    format::LogicalType logical;
    auto integer = [&](int bits, bool is_signed, Type::type physical) {
      physical_ = physical;
      format::IntType it;
      it.__set_bitWidth(int8_t(bits));
      it.__set_isSigned(is_signed);
      logical.__set_INTEGER(it);
      element_.__set_logicalType(logical);
      static const format::ConvertedType::type kSigned[] = {format::ConvertedType::INT_8, format::ConvertedType::INT_16,
                                                             format::ConvertedType::INT_32, format::ConvertedType::INT_64};
      static const format::ConvertedType::type kUnsigned[] = {format::ConvertedType::UINT_8, format::ConvertedType::UINT_16,
                                                               format::ConvertedType::UINT_32, format::ConvertedType::UINT_64};
      const int slot = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
      element_.__set_converted_type(is_signed ? kSigned[slot] : kUnsigned[slot]);
    };
    switch (type.id()) {
      case TypeId::kBool: physical_ = Type::BOOLEAN; break;
      case TypeId::kInt8: integer(8, true, Type::INT32); break;
      case TypeId::kInt16: integer(16, true, Type::INT32); break;
      case TypeId::kInt32: physical_ = Type::INT32; break;
      case TypeId::kInt64: physical_ = Type::INT64; break;
      case TypeId::kUInt8: integer(8, false, Type::INT32); break;
      case TypeId::kUInt16: integer(16, false, Type::INT32); break;
      case TypeId::kUInt32: integer(32, false, Type::INT32); break;
      case TypeId::kUInt64: integer(64, false, Type::INT64); break;
      case TypeId::kFloat32: physical_ = Type::FLOAT; break;
      case TypeId::kFloat64: physical_ = Type::DOUBLE; break;
      case TypeId::kDuration: physical_ = Type::INT64; break;  // Parquet has no duration type
      case TypeId::kDate: {
        physical_ = Type::INT32;
        logical.__set_DATE(format::DateType());
        element_.__set_logicalType(logical);
        element_.__set_converted_type(format::ConvertedType::DATE);
        break;
      }
      case TypeId::kTimestamp: {
        physical_ = Type::INT64;
        format::TimestampType ts;
        ts.__set_isAdjustedToUTC(false);
        format::TimeUnit unit;
        // Parquet has no seconds: they are written as milliseconds.
        if (type.unit() == TimeUnit::kSecond || type.unit() == TimeUnit::kMilli) {
          unit.__set_MILLIS(format::MilliSeconds());
        } else if (type.unit() == TimeUnit::kMicro) {
          unit.__set_MICROS(format::MicroSeconds());
        } else {
          unit.__set_NANOS(format::NanoSeconds());
        }
        ts.__set_unit(unit);
        logical.__set_TIMESTAMP(ts);
        element_.__set_logicalType(logical);
        break;
      }
      case TypeId::kString:
      case TypeId::kCategorical: {
        physical_ = Type::BYTE_ARRAY;
        logical.__set_STRING(format::StringType());
        element_.__set_logicalType(logical);
        element_.__set_converted_type(format::ConvertedType::UTF8);
        break;
      }
    }
    element_.__set_type(physical_);
  }

  const format::SchemaElement& element() const { return element_; }
  Type::type physical() const { return physical_; }

  // Appends the PLAIN values of the present rows of [begin, end) to `values`, their definition
  // levels to `levels`, and widens the chunk's statistics.
  void Encode(int64_t begin, int64_t end, std::string* values, std::vector<uint32_t>* levels) {
    const Column& c = *column_;
    const TypeId id = c.type().id();
    for (int64_t i = begin; i < end; ++i) {
      // NaN is pandas' missing value: written as null, as pyarrow writes pandas frames.
      const bool valid = c.IsValid(i) && !(id == TypeId::kFloat64 && std::isnan(c.values<double>()[i])) &&
                         !(id == TypeId::kFloat32 && std::isnan(c.values<float>()[i]));
      levels->push_back(valid ? 1 : 0);
      if (!valid) {
        ++null_count_;
        continue;
      }
      switch (c.type().id()) {
        case TypeId::kBool: bools_.push_back(c.values<uint8_t>()[i]); Bound(int64_t(c.values<uint8_t>()[i])); break;
        case TypeId::kInt8: PutInt32(values, c.values<int8_t>()[i]); break;
        case TypeId::kInt16: PutInt32(values, c.values<int16_t>()[i]); break;
        case TypeId::kInt32:
        case TypeId::kDate: PutInt32(values, c.values<int32_t>()[i]); break;
        case TypeId::kUInt8: PutInt32(values, c.values<uint8_t>()[i]); break;
        case TypeId::kUInt16: PutInt32(values, c.values<uint16_t>()[i]); break;
        case TypeId::kUInt32: {
          const uint32_t v = c.values<uint32_t>()[i];
          Put(values, v);
          Bound(int64_t(v));
          break;
        }
        case TypeId::kInt64:
        case TypeId::kDuration: {
          const int64_t v = c.values<int64_t>()[i];
          Put(values, v);
          Bound(v);
          break;
        }
        case TypeId::kTimestamp: {
          int64_t v = c.values<int64_t>()[i];
          if (c.type().unit() == TimeUnit::kSecond) v *= 1000;
          Put(values, v);
          Bound(v);
          break;
        }
        case TypeId::kUInt64: {
          const uint64_t v = c.values<uint64_t>()[i];
          Put(values, v);
          if (!has_bounds_ || v < umin_) umin_ = v;
          if (!has_bounds_ || v > umax_) umax_ = v;
          has_bounds_ = true;
          break;
        }
        case TypeId::kFloat32: {
          const float v = c.values<float>()[i];
          Put(values, v);
          BoundFloat(v);
          break;
        }
        case TypeId::kFloat64: {
          const double v = c.values<double>()[i];
          Put(values, v);
          BoundFloat(v);
          break;
        }
        case TypeId::kString:
        case TypeId::kCategorical: {
          const std::string_view text = c.type().id() == TypeId::kString
                                            ? c.GetString(i)
                                            : c.dictionary()->GetString(c.values<int32_t>()[i]);
          Put(values, uint32_t(text.size()));
          values->append(text);
          if (!has_bounds_ || text < smin_) smin_ = std::string(text);
          if (!has_bounds_ || text > smax_) smax_ = std::string(text);
          has_bounds_ = true;
          break;
        }
      }
    }
    if (c.type().id() == TypeId::kBool) {
      EncodePlainBooleans(bools_.data(), int64_t(bools_.size()), values);
      bools_.clear();
    }
  }

  // The chunk's statistics in PLAIN bytes; resets them for the next chunk.
  format::Statistics TakeStatistics() {
    format::Statistics stats;
    stats.__set_null_count(null_count_);
    if (has_bounds_) {
      std::string low, high;
      switch (physical_) {
        case Type::BOOLEAN: low.push_back(char(min_)); high.push_back(char(max_)); break;
        case Type::INT32: Put(&low, int32_t(min_)); Put(&high, int32_t(max_)); break;
        case Type::INT64:
          if (column_->type().id() == TypeId::kUInt64) {
            Put(&low, umin_);
            Put(&high, umax_);
          } else {
            Put(&low, min_);
            Put(&high, max_);
          }
          break;
        case Type::FLOAT: Put(&low, float(fmin_)); Put(&high, float(fmax_)); break;
        case Type::DOUBLE: Put(&low, fmin_); Put(&high, fmax_); break;
        default: low = smin_; high = smax_; break;
      }
      stats.__set_min_value(low);
      stats.__set_max_value(high);
    }
    null_count_ = 0;
    has_bounds_ = false;
    return stats;
  }

 private:
  void PutInt32(std::string* values, int64_t v) {
    Put(values, int32_t(v));
    Bound(v);
  }
  void Bound(int64_t v) {
    if (!has_bounds_ || v < min_) min_ = v;
    if (!has_bounds_ || v > max_) max_ = v;
    has_bounds_ = true;
  }
  void BoundFloat(double v) {
    if (std::isnan(v)) return;  // NaN has no place in min/max statistics
    if (!has_bounds_ || v < fmin_) fmin_ = v;
    if (!has_bounds_ || v > fmax_) fmax_ = v;
    has_bounds_ = true;
  }

  std::string name_;
  ColumnPtr column_;
  format::SchemaElement element_;
  Type::type physical_ = Type::INT64;
  std::vector<uint8_t> bools_;
  int64_t null_count_ = 0;
  bool has_bounds_ = false;
  int64_t min_ = 0, max_ = 0;
  uint64_t umin_ = 0, umax_ = 0;
  double fmin_ = 0, fmax_ = 0;
  std::string smin_, smax_;
};

const char* PandasType(DataType type) {
  switch (type.id()) {
    case TypeId::kBool: return "bool";
    case TypeId::kFloat32:
    case TypeId::kFloat64: return type.id() == TypeId::kFloat32 ? "float32" : "float64";
    case TypeId::kString:
    case TypeId::kCategorical: return "unicode";
    case TypeId::kTimestamp: return "datetime";
    case TypeId::kDate: return "date";
    case TypeId::kDuration: return "timedelta";
    default: return "int64";
  }
}

// pandas' metadata, as pyarrow writes it, naming the stored index column.
std::string PandasMetadata(const std::vector<std::string>& names, const std::vector<ColumnPtr>& columns,
                           const std::string& index_field, const std::string& index_name) {
  std::string json = "{\"index_columns\": [";
  if (!index_field.empty()) json += JsonString(index_field);
  json += "], \"column_indexes\": [], \"columns\": [";
  for (size_t i = 0; i < names.size(); ++i) {
    const bool is_index = names[i] == index_field && !index_field.empty();
    if (i > 0) json += ", ";
    json += "{\"name\": " + (is_index && index_name.empty() ? std::string("null") : JsonString(names[i])) +
            ", \"field_name\": " + JsonString(names[i]) + ", \"pandas_type\": \"" + PandasType(columns[i]->type()) +
            "\", \"numpy_type\": \"" + (columns[i]->type().id() == TypeId::kString ? "object" : columns[i]->type().ToString()) +
            "\", \"metadata\": null}";
  }
  json += "], \"creator\": {\"library\": \"tessera\", \"version\": \"0.1.0\"}, \"pandas_version\": \"2.2.0\"}";
  return json;
}

}  // namespace

void WriteParquetTable(const Table& table, const std::string& path, const ParquetWriteOptions& options) {
  const Codec codec = ParseCodec(options.compression);
  if (options.row_group_size < 1) {
    throw InvalidArgument("row_group_size must be at least 1, got " + std::to_string(options.row_group_size));
  }
  std::vector<std::string> names = table.column_names();
  std::vector<ColumnPtr> columns = table.columns();
  std::string index_field;
  if (options.write_index && table.has_index()) {
    index_field = table.index_name().empty() ? "__index_level_0__" : table.index_name();
    names.push_back(index_field);
    columns.push_back(table.index());
  }
  std::vector<ColumnWriter> writers;
  for (size_t i = 0; i < names.size(); ++i) writers.emplace_back(names[i], columns[i]);

  format::FileMetaData metadata;
  metadata.__set_version(1);
  format::SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(int32_t(writers.size()));
  metadata.schema.push_back(root);
  for (const auto& writer : writers) {
    metadata.schema.push_back(writer.element());
    format::ColumnOrder order;
    order.__set_TYPE_ORDER(format::TypeDefinedOrder());
    metadata.column_orders.push_back(order);
  }
  metadata.__isset.column_orders = true;
  metadata.__set_num_rows(table.num_rows());
  metadata.__set_created_by("tessera version 0.1.0");
  if (!index_field.empty()) {
    format::KeyValue pandas;
    pandas.__set_key("pandas");
    pandas.__set_value(PandasMetadata(names, columns, index_field, table.index_name()));
    metadata.key_value_metadata.push_back(pandas);
    metadata.__isset.key_value_metadata = true;
  }

  std::string file = "PAR1";
  std::string values, page;
  std::vector<uint32_t> levels;
  for (int64_t begin = 0; begin < table.num_rows(); begin += options.row_group_size) {
    const int64_t end = std::min(table.num_rows(), begin + options.row_group_size);
    format::RowGroup group;
    group.__set_num_rows(end - begin);
    group.__set_file_offset(int64_t(file.size()));
    int64_t group_bytes = 0;
    for (size_t c = 0; c < writers.size(); ++c) {
      const int64_t chunk_start = int64_t(file.size());
      int64_t uncompressed_total = 0;
      for (int64_t page_begin = begin; page_begin < end; page_begin += kPageRows) {
        const int64_t page_end = std::min(end, page_begin + kPageRows);
        values.clear();
        levels.clear();
        writers[c].Encode(page_begin, page_end, &values, &levels);
        page.clear();
        std::string encoded_levels;
        EncodeRleBitPacked(levels.data(), int64_t(levels.size()), 1, &encoded_levels);
        Put(&page, uint32_t(encoded_levels.size()));
        page += encoded_levels;
        page += values;
        const std::string compressed = Compress(codec, page);
        format::PageHeader header;
        header.__set_type(format::PageType::DATA_PAGE);
        header.__set_uncompressed_page_size(int32_t(page.size()));
        header.__set_compressed_page_size(int32_t(compressed.size()));
        format::DataPageHeader data;
        data.__set_num_values(int32_t(page_end - page_begin));
        data.__set_encoding(format::Encoding::PLAIN);
        data.__set_definition_level_encoding(format::Encoding::RLE);
        data.__set_repetition_level_encoding(format::Encoding::RLE);
        header.__set_data_page_header(data);
        const std::string header_bytes = Serialize(header);
        file += header_bytes;
        file += compressed;
        uncompressed_total += int64_t(header_bytes.size() + page.size());
      }
      format::ColumnChunk chunk;
      chunk.__set_file_offset(chunk_start);
      format::ColumnMetaData meta;
      meta.__set_type(writers[c].physical());
      meta.__set_encodings({format::Encoding::PLAIN, format::Encoding::RLE});
      meta.__set_path_in_schema({names[c]});
      meta.__set_codec(codec);
      meta.__set_num_values(end - begin);
      meta.__set_total_uncompressed_size(uncompressed_total);
      meta.__set_total_compressed_size(int64_t(file.size()) - chunk_start);
      meta.__set_data_page_offset(chunk_start);
      meta.__set_statistics(writers[c].TakeStatistics());
      chunk.__set_meta_data(meta);
      group.columns.push_back(chunk);
      group_bytes += uncompressed_total;
    }
    group.__set_total_byte_size(group_bytes);
    group.__set_total_compressed_size(int64_t(file.size()) - group.file_offset);
    metadata.row_groups.push_back(group);
  }
  const std::string footer = Serialize(metadata);
  file += footer;
  Put(&file, uint32_t(footer.size()));
  file += "PAR1";

  CreateParentDirectories(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IOError("cannot open '" + path + "' for writing");
  out.write(file.data(), std::streamsize(file.size()));
  if (!out) throw IOError("cannot write '" + path + "' (disk full?)");
}

}  // namespace tessera::io::parquet
