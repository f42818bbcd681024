#include "tessera/io/parquet/parquet_file.hpp"

#include <cstring>

#include "tessera/base/error.hpp"
#include "tessera/io/parquet/column_decoder.hpp"
#include "tessera/io/parquet/thrift_serialization.hpp"
#include "tessera/memory/buffer.hpp"

namespace tessera::io::parquet {
namespace {

using format::ConvertedType;
using format::Type;

constexpr int64_t kMaxFooterBytes = int64_t(1) << 30;

TimeUnit UnitOf(const format::TimeUnit& unit) {
  if (unit.__isset.MILLIS) return TimeUnit::kMilli;
  if (unit.__isset.MICROS) return TimeUnit::kMicro;
  return TimeUnit::kNano;
}

// Maps a leaf's physical and logical type to a tessera type, filling the decoder's conversion.
// Returns an explanation when tessera cannot represent the type.
std::string MapType(const format::SchemaElement& element, ColumnDescriptor* column) {
  const auto& logical = element.logicalType;
  const bool has_logical = element.__isset.logicalType;
  const bool has_converted = element.__isset.converted_type;
  const auto converted = element.converted_type;
  const bool is_decimal = (has_logical && logical.__isset.DECIMAL) ||
                          (has_converted && converted == ConvertedType::DECIMAL);
  if (is_decimal) {
    // Decimals read as float64: exact up to 15 significant digits, the nearest double beyond.
    column->decimal_scale = has_logical && logical.__isset.DECIMAL ? logical.DECIMAL.scale : element.scale;
    if (column->decimal_scale < 0 || column->decimal_scale > 76) return "a decimal with an invalid scale";
    column->type = types::Float64();
    if (element.type == Type::BOOLEAN || element.type == Type::FLOAT || element.type == Type::DOUBLE ||
        element.type == Type::INT96) {
      return std::string("a decimal stored as ") + format::_Type_VALUES_TO_NAMES.at(int(element.type));
    }
    return "";
  }
  switch (element.type) {
    case Type::BOOLEAN:
      column->type = types::Bool();
      return "";
    case Type::INT32: {
      column->type = types::Int32();
      int bits = 32;
      bool is_signed = true;
      if (has_logical && logical.__isset.INTEGER) {
        bits = logical.INTEGER.bitWidth;
        is_signed = logical.INTEGER.isSigned;
      } else if (has_converted) {
        switch (converted) {
          case ConvertedType::INT_8: bits = 8; break;
          case ConvertedType::INT_16: bits = 16; break;
          case ConvertedType::UINT_8: bits = 8; is_signed = false; break;
          case ConvertedType::UINT_16: bits = 16; is_signed = false; break;
          case ConvertedType::UINT_32: is_signed = false; break;
          default: break;
        }
      }
      if ((has_logical && logical.__isset.DATE) || (has_converted && converted == ConvertedType::DATE)) {
        column->type = types::Date();
      } else if ((has_logical && logical.__isset.TIME) || (has_converted && converted == ConvertedType::TIME_MILLIS)) {
        column->type = types::Duration(TimeUnit::kMilli);  // time of day as time since midnight
      } else if (bits == 8) {
        column->type = is_signed ? types::Int8() : types::UInt8();
      } else if (bits == 16) {
        column->type = is_signed ? types::Int16() : types::UInt16();
      } else if (!is_signed) {
        column->type = types::UInt32();
      }
      return "";
    }
    case Type::INT64:
      column->type = types::Int64();
      if (has_logical && logical.__isset.TIMESTAMP) {
        column->type = types::Timestamp(UnitOf(logical.TIMESTAMP.unit));
      } else if (has_logical && logical.__isset.TIME) {
        column->type = types::Duration(UnitOf(logical.TIME.unit));
      } else if (has_logical && logical.__isset.INTEGER && !logical.INTEGER.isSigned) {
        column->type = types::UInt64();
      } else if (has_converted) {
        switch (converted) {
          case ConvertedType::TIMESTAMP_MILLIS: column->type = types::Timestamp(TimeUnit::kMilli); break;
          case ConvertedType::TIMESTAMP_MICROS: column->type = types::Timestamp(TimeUnit::kMicro); break;
          case ConvertedType::TIME_MICROS: column->type = types::Duration(TimeUnit::kMicro); break;
          case ConvertedType::UINT_64: column->type = types::UInt64(); break;
          default: break;
        }
      }
      return "";
    case Type::INT96:
      column->type = types::Timestamp(TimeUnit::kNano);  // legacy Impala/Spark timestamps
      return "";
    case Type::FLOAT:
      column->type = types::Float32();
      return "";
    case Type::DOUBLE:
      column->type = types::Float64();
      return "";
    case Type::BYTE_ARRAY:
      column->type = types::String();
      return "";
    case Type::FIXED_LEN_BYTE_ARRAY:
      if (has_logical && logical.__isset.FLOAT16) {
        if (column->type_length != 2) return "a FLOAT16 that is not 2 bytes wide";
        column->float16 = true;
        column->type = types::Float32();
        return "";
      }
      column->type = types::String();  // fixed-size binary (UUIDs, hashes) as bytes
      return "";
  }
  return "physical type " + std::to_string(int(element.type));
}

// Number of schema elements in the subtree at `index` (the element and its descendants).
size_t SubtreeSize(const std::vector<format::SchemaElement>& schema, size_t index, int depth = 0) {
  if (depth > 64) throw ParseError("schema nests deeper than 64 levels");
  size_t size = 1;
  const int children = schema[index].__isset.num_children ? schema[index].num_children : 0;
  for (int c = 0; c < children; ++c) {
    if (index + size >= schema.size()) throw ParseError("schema lists fewer elements than its groups hold");
    size += SubtreeSize(schema, index + size, depth + 1);
  }
  return size;
}

size_t LeafCount(const std::vector<format::SchemaElement>& schema, size_t index, size_t size) {
  size_t leaves = 0;
  for (size_t i = index; i < index + size; ++i) {
    if (!schema[i].__isset.num_children || schema[i].num_children == 0) ++leaves;
  }
  return leaves;
}

}  // namespace

ParquetFile::ParquetFile() = default;
ParquetFile::~ParquetFile() = default;

std::shared_ptr<const ParquetFile> ParquetFile::Open(const std::string& path) {
  return Open(OpenInput(path, Compression::kNone));
}

std::shared_ptr<const ParquetFile> ParquetFile::Open(std::shared_ptr<ByteSource> source) {
  std::shared_ptr<ParquetFile> file(new ParquetFile());
  file->source_ = std::move(source);
  const std::string& path = file->source_->path();
  const int64_t size = file->source_->size();
  uint8_t tail[8];
  if (size < 12 || file->source_->ReadAt(size - 8, 8, tail) != 8 || std::memcmp(tail + 4, "PAR1", 4) != 0) {
    throw ParseError("'" + path + "' is not a Parquet file (it does not end in the PAR1 magic" +
                     (size < 12 ? ", and is only " + std::to_string(size) + " bytes" : std::string()) +
                     "); pass a Parquet file, or use read_csv for text");
  }
  uint32_t footer_length;
  std::memcpy(&footer_length, tail, 4);
  if (int64_t(footer_length) > size - 12 || int64_t(footer_length) > kMaxFooterBytes) {
    throw ParseError("Parquet file '" + path + "' is truncated or corrupt: its footer claims " +
                     std::to_string(footer_length) + " bytes but the file has " + std::to_string(size));
  }
  std::vector<uint8_t> footer(footer_length);
  if (file->source_->ReadAt(size - 8 - footer_length, footer_length, footer.data()) != footer_length) {
    throw IOError("cannot read the footer of Parquet file '" + path + "'");
  }
  file->metadata_ = std::make_unique<format::FileMetaData>();
  try {
    ReadFileMetaData(footer.data(), footer_length, file->metadata_.get());
    file->BuildSchema();
  } catch (const ParseError& e) {
    throw ParseError("Parquet file '" + path + "': " + e.what());
  }
  return file;
}

void ParquetFile::BuildSchema() {
  const auto& schema = metadata_->schema;
  if (schema.empty()) throw ParseError("the footer has an empty schema");
  num_rows_ = metadata_->num_rows;
  const int top_level = schema[0].__isset.num_children ? schema[0].num_children : 0;
  size_t index = 1;
  int leaf = 0;
  for (int c = 0; c < top_level; ++c) {
    if (index >= schema.size()) throw ParseError("schema lists fewer columns than its root holds");
    const auto& element = schema[index];
    const size_t size = SubtreeSize(schema, index);
    ParquetColumn column{element.name, types::Int64(), ""};
    ColumnDescriptor descriptor;
    descriptor.name = element.name;
    const bool repeated = element.__isset.repetition_type &&
                          element.repetition_type == format::FieldRepetitionType::REPEATED;
    if (size > 1 || repeated) {
      column.unsupported = "is a nested column (list, map or struct), which tessera does not read yet; "
                           "select the flat columns with columns=[...]";
    } else {
      if (!element.__isset.type) throw ParseError("column '" + element.name + "' has no physical type");
      descriptor.physical = element.type;
      descriptor.type_length = element.__isset.type_length ? element.type_length : 0;
      descriptor.max_definition_level =
          element.__isset.repetition_type && element.repetition_type == format::FieldRepetitionType::OPTIONAL ? 1 : 0;
      const std::string problem = MapType(element, &descriptor);
      if (!problem.empty()) column.unsupported = "has " + problem + ", which tessera cannot read";
      column.type = descriptor.type;
    }
    columns_.push_back(std::move(column));
    descriptors_.push_back(std::move(descriptor));
    leaf_index_.push_back(leaf);
    leaf += int(LeafCount(schema, index, size));
    index += size;
  }
  for (const auto& row_group : metadata_->row_groups) {
    if (int(row_group.columns.size()) != leaf) {
      throw ParseError("a row group has " + std::to_string(row_group.columns.size()) +
                       " column chunks but the schema has " + std::to_string(leaf) + " leaf columns");
    }
    if (row_group.num_rows < 0) throw ParseError("a row group has a negative row count");
  }
}

int ParquetFile::ColumnIndex(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return int(i);
  }
  return -1;
}

int ParquetFile::num_row_groups() const { return int(metadata_->row_groups.size()); }

int64_t ParquetFile::row_group_num_rows(int row_group) const {
  return metadata_->row_groups.at(size_t(row_group)).num_rows;
}

int64_t ParquetFile::column_chunk_bytes(int row_group, int column) const {
  const auto& chunk = metadata_->row_groups.at(size_t(row_group)).columns.at(size_t(leaf_index_.at(size_t(column))));
  return chunk.__isset.meta_data ? chunk.meta_data.total_compressed_size : 0;
}

std::optional<std::string> ParquetFile::Metadata(const std::string& key) const {
  for (const auto& kv : metadata_->key_value_metadata) {
    if (kv.key == key) return kv.value;
  }
  return std::nullopt;
}

std::string ParquetFile::Where(int row_group, int column) const {
  return "Parquet file '" + path() + "' row group " + std::to_string(row_group) + " column '" +
         columns_[size_t(column)].name + "'";
}

ColumnChunkStatistics ParquetFile::Statistics(int row_group, int column) const {
  ColumnChunkStatistics result;
  if (!columns_.at(size_t(column)).unsupported.empty()) return result;
  const auto& chunk = metadata_->row_groups.at(size_t(row_group)).columns.at(size_t(leaf_index_[size_t(column)]));
  if (!chunk.__isset.meta_data || !chunk.meta_data.__isset.statistics) return result;
  const auto& stats = chunk.meta_data.statistics;
  if (stats.__isset.null_count) result.null_count = stats.null_count;
  const ColumnDescriptor& descriptor = descriptors_[size_t(column)];
  const std::string* min = nullptr;
  const std::string* max = nullptr;
  if (stats.__isset.min_value && stats.__isset.max_value) {
    min = &stats.min_value;
    max = &stats.max_value;
  } else if (stats.__isset.min && stats.__isset.max &&
             descriptor.physical != Type::BYTE_ARRAY && descriptor.physical != Type::FIXED_LEN_BYTE_ARRAY &&
             !(descriptor.type.is_unsigned_integer())) {
    // The legacy fields use signed order, right only for signed numbers.
    min = &stats.min;
    max = &stats.max;
  }
  if (min == nullptr) return result;
  try {
    ColumnPtr low = DecodePlainValue(descriptor, *min);
    ColumnPtr high = DecodePlainValue(descriptor, *max);
    result.min_max = ConcatenateColumns({low, high});
  } catch (const Error&) {
    return ColumnChunkStatistics{nullptr, result.null_count};  // unusable bounds prune nothing
  }
  return result;
}

ColumnPtr ParquetFile::ReadColumnChunk(int row_group, int column) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    throw IndexError("Parquet file '" + path() + "' has " + std::to_string(num_row_groups()) +
                     " row groups; row group " + std::to_string(row_group) + " does not exist");
  }
  const ParquetColumn& info = columns_.at(size_t(column));
  if (!info.unsupported.empty()) throw NotImplemented(Where(row_group, column) + " " + info.unsupported);
  const auto& group = metadata_->row_groups[size_t(row_group)];
  const auto& chunk = group.columns[size_t(leaf_index_[size_t(column)])];
  try {
    if (!chunk.__isset.meta_data) throw ParseError("the column chunk has no metadata");
    if (chunk.__isset.file_path && !chunk.file_path.empty()) {
      throw NotImplemented("the column chunk lives in another file ('" + chunk.file_path + "')");
    }
    const auto& meta = chunk.meta_data;
    int64_t start = meta.data_page_offset;
    if (meta.__isset.dictionary_page_offset && meta.dictionary_page_offset > 0 &&
        meta.dictionary_page_offset < start) {
      start = meta.dictionary_page_offset;
    }
    const int64_t length = meta.total_compressed_size;
    if (start < 0 || length < 0 || start > source_->size() || length > source_->size() - start) {
      throw ParseError("the column chunk's byte range [" + std::to_string(start) + ", +" +
                       std::to_string(length) + ") lies outside the file of " +
                       std::to_string(source_->size()) + " bytes (truncated file?)");
    }
    auto bytes = memory::Buffer::Allocate(std::max<int64_t>(length, 1));
    if (source_->ReadAt(start, length, bytes->mutable_data()) != length) {
      throw IOError("short read of the column chunk (the file is truncated)");
    }
    return DecodeColumnChunk(descriptors_[size_t(column)], meta, bytes->data(), length, group.num_rows);
  } catch (const ParseError& e) {
    throw ParseError(Where(row_group, column) + ": " + e.what());
  } catch (const NotImplemented& e) {
    throw NotImplemented(Where(row_group, column) + ": " + e.what());
  } catch (const IOError& e) {
    throw IOError(Where(row_group, column) + ": " + e.what());
  }
}

TablePtr ParquetFile::ReadRowGroup(int row_group, const std::vector<int>& columns) const {
  std::vector<std::string> names;
  std::vector<ColumnPtr> read;
  for (int column : columns) {
    names.push_back(columns_.at(size_t(column)).name);
    read.push_back(ReadColumnChunk(row_group, column));
  }
  return Table::Make(std::move(names), std::move(read));
}

}  // namespace tessera::io::parquet
