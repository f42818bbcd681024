// Binary table format (see table_serialize.hpp):
//   "TSTB" u32 version, u8 has_index, i32 num_columns, [index column], columns...
//   column: u32 name length, name, u8 type id, u8 time unit (TimeUnit; 3 = ns for types
//           without one), i64 length, i64 null_count, u8 has_validity,
//           [validity bytes], then values: fixed width -> length * width bytes; string ->
//           (length + 1) i64 offsets starting at 0, i64 byte count, bytes; categorical -> i32
//           codes + dictionary column (nameless).
#include "tessera/table/table_serialize.hpp"

#include <cstring>

#include "tessera/base/bits.hpp"
#include "tessera/base/error.hpp"

namespace tessera {

namespace {

constexpr char kMagic[4] = {'T', 'S', 'T', 'B'};
constexpr uint32_t kVersion = 2;  // 2: columns carry a time unit

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutColumn(const Column& column, std::string_view name, std::string* out) {
  Put<uint32_t>(out, uint32_t(name.size()));
  out->append(name);
  const int64_t length = column.length();
  Put<uint8_t>(out, uint8_t(column.type().id()));
  Put<uint8_t>(out, uint8_t(column.type().unit()));
  Put<int64_t>(out, length);
  Put<int64_t>(out, column.null_count());
  const bool has_validity = column.validity_data() != nullptr;
  Put<uint8_t>(out, has_validity ? 1 : 0);
  if (has_validity) {
    std::string bitmap(size_t(bits::BytesForBits(length)), '\0');
    auto* dest = reinterpret_cast<uint8_t*>(bitmap.data());
    bits::CopyBits(column.validity_data(), column.offset(), length, dest, 0);
    out->append(bitmap);
  }
  if (column.type().id() == TypeId::kString) {
    const int64_t* offsets = column.string_offsets();
    const int64_t base = offsets[0];
    for (int64_t i = 0; i <= length; ++i) Put<int64_t>(out, offsets[i] - base);
    const int64_t bytes = offsets[length] - base;
    Put<int64_t>(out, bytes);
    out->append(column.string_data() + base, size_t(bytes));
    return;
  }
  const int width = column.type().ByteWidth();
  out->append(reinterpret_cast<const char*>(column.values_buffer()->data()) + column.offset() * width, size_t(length * width));
  if (column.type().id() == TypeId::kCategorical) PutColumn(*column.dictionary(), "", out);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  T Get() {
    T value;
    std::memcpy(&value, Take(sizeof(T)), sizeof(T));
    return value;
  }
  const char* Take(size_t size) {
    if (bytes_.size() - position_ < size) {
      throw IOError("serialised table is truncated at byte " + std::to_string(position_) + " of " + std::to_string(bytes_.size()));
    }
    const char* data = bytes_.data() + position_;
    position_ += size;
    return data;
  }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

ColumnPtr GetColumn(Reader& reader, std::string* name) {
  const uint32_t name_length = reader.Get<uint32_t>();
  name->assign(reader.Take(name_length), name_length);
  const uint8_t type_id = reader.Get<uint8_t>();
  if (type_id > uint8_t(TypeId::kCategorical)) throw IOError("serialised table has unknown column type id " + std::to_string(type_id));
  const uint8_t unit = reader.Get<uint8_t>();
  if (unit > uint8_t(TimeUnit::kNano)) throw IOError("serialised table has unknown time unit " + std::to_string(unit));
  const DataType type(static_cast<TypeId>(type_id), static_cast<TimeUnit>(unit));
  const int64_t length = reader.Get<int64_t>();
  const int64_t null_count = reader.Get<int64_t>();
  if (length < 0 || null_count < 0 || null_count > length) throw IOError("serialised table has a corrupt column header");
  BufferPtr validity;
  if (reader.Get<uint8_t>() != 0) {
    const int64_t size = bits::BytesForBits(length);
    validity = memory::Buffer::CopyOf(reader.Take(size_t(size)), size);
  }
  if (type.id() == TypeId::kString) {
    BufferPtr offsets = memory::Buffer::CopyOf(reader.Take(size_t(length + 1) * 8), (length + 1) * 8);
    const int64_t bytes = reader.Get<int64_t>();
    if (bytes < 0) throw IOError("serialised table has a negative string byte count");
    BufferPtr values = memory::Buffer::CopyOf(reader.Take(size_t(bytes)), bytes);
    return Column::Make(type, length, values, validity, null_count, offsets);
  }
  const int64_t size = length * type.ByteWidth();
  BufferPtr values = memory::Buffer::CopyOf(reader.Take(size_t(size)), size);
  ColumnPtr dictionary;
  if (type.id() == TypeId::kCategorical) {
    std::string ignored;
    dictionary = GetColumn(reader, &ignored);
  }
  return Column::Make(type, length, values, validity, null_count, nullptr, dictionary);
}

}  // namespace

void SerializeTable(const Table& table, std::string* out) {
  out->append(kMagic, sizeof(kMagic));
  Put<uint32_t>(out, kVersion);
  Put<uint8_t>(out, table.has_index() ? 1 : 0);
  Put<int32_t>(out, table.num_columns());
  Put<int64_t>(out, table.num_rows());
  if (table.has_index()) PutColumn(*table.index(), table.index_name(), out);
  for (int i = 0; i < table.num_columns(); ++i) PutColumn(*table.column(i), table.schema().field(i).name, out);
}

TablePtr DeserializeTable(std::string_view bytes) {
  if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    throw IOError("bytes are not a serialised tessera table (bad magic)");
  }
  Reader reader(bytes.substr(4));
  const uint32_t version = reader.Get<uint32_t>();
  if (version != kVersion) {
    throw IOError("serialised table has format version " + std::to_string(version) + "; this build reads version " + std::to_string(kVersion));
  }
  const bool has_index = reader.Get<uint8_t>() != 0;
  const int32_t num_columns = reader.Get<int32_t>();
  const int64_t num_rows = reader.Get<int64_t>();
  if (num_columns < 0 || num_rows < 0) throw IOError("serialised table has a corrupt header");
  ColumnPtr index;
  std::string index_name;
  if (has_index) index = GetColumn(reader, &index_name);
  const size_t count = static_cast<size_t>(num_columns);
  std::vector<std::string> names(count);
  std::vector<ColumnPtr> columns(count);
  for (size_t i = 0; i < count; ++i) columns[i] = GetColumn(reader, &names[i]);
  if (num_columns == 0 && !has_index) {
    return Table::Make({}, {});
  }
  return Table::Make(std::move(names), std::move(columns), index, index_name);
}

}  // namespace tessera
