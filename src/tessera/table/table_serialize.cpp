// Binary table format (see table_serialize.hpp):
//   "TSTB" u32 version, u8 has_index, i32 num_columns, [index column], columns...
//   column: u32 name length, name, u8 type id, u8 time unit (TimeUnit; 3 = ns for types
//           without one), i64 length, i64 null_count, u8 has_validity,
//           [validity bytes], then values: fixed width -> length * width bytes; string ->
//           (length + 1) i64 offsets starting at 0, i64 byte count, bytes; categorical -> i32
//           codes + dictionary column (nameless).
#include "tessera/table/table_serialize.hpp"

#include <algorithm>
#include <cstring>

#include "tessera/base/bits.hpp"
#include "tessera/base/error.hpp"

namespace tessera {

namespace {

constexpr char kMagic[4] = {'T', 'S', 'T', 'B'};
constexpr uint32_t kVersion = 2;  // 2: columns carry a time unit

void PutColumn(const Column& column, std::string_view name, ByteSink& out) {
  out.WriteRaw(uint32_t(name.size()));
  out.Write(name);
  const int64_t length = column.length();
  out.WriteRaw(uint8_t(column.type().id()));
  out.WriteRaw(uint8_t(column.type().unit()));
  out.WriteRaw(length);
  out.WriteRaw(column.null_count());
  const bool has_validity = column.validity_data() != nullptr;
  out.WriteRaw(uint8_t(has_validity ? 1 : 0));
  if (has_validity) {
    if (column.offset() % 8 == 0 && length % 8 == 0) {  // whole bytes: no bits past the end
      out.Write(column.validity_data() + column.offset() / 8, size_t(bits::BytesForBits(length)));
    } else {
      std::string bitmap(size_t(bits::BytesForBits(length)), '\0');
      bits::CopyBits(column.validity_data(), column.offset(), length, reinterpret_cast<uint8_t*>(bitmap.data()), 0);
      out.Write(bitmap);
    }
  }
  if (column.type().id() == TypeId::kString) {
    const int64_t* offsets = column.string_offsets();
    const int64_t base = offsets[0];
    if (base == 0) {
      out.Write(offsets, size_t(length + 1) * sizeof(int64_t));
    } else {
      // A slice: offsets rebased to 0, a bounded chunk at a time.
      int64_t rebased[1024];
      for (int64_t start = 0; start <= length; start += 1024) {
        const int64_t count = std::min<int64_t>(1024, length + 1 - start);
        for (int64_t i = 0; i < count; ++i) rebased[i] = offsets[start + i] - base;
        out.Write(rebased, size_t(count) * sizeof(int64_t));
      }
    }
    const int64_t bytes = offsets[length] - base;
    out.WriteRaw(bytes);
    out.Write(column.string_data() + base, size_t(bytes));
    return;
  }
  const int width = column.type().ByteWidth();
  out.Write(column.values_buffer()->data() + column.offset() * width, size_t(length * width));
  if (column.type().id() == TypeId::kCategorical) PutColumn(*column.dictionary(), "", out);
}

// `size` bytes of the input read into a new buffer (checked against what remains first).
BufferPtr ReadBuffer(ByteReader& in, int64_t size, std::string_view what) {
  in.Require(size, what);
  auto buffer = memory::Buffer::Allocate(size);
  in.Read(buffer->mutable_data(), size_t(size));
  return buffer;
}

ColumnPtr GetColumn(ByteReader& in, std::string* name) {
  const uint32_t name_length = in.ReadRaw<uint32_t>();
  in.Require(name_length, "a column name");
  name->assign(name_length, '\0');
  in.Read(name->data(), name_length);
  const uint8_t type_id = in.ReadRaw<uint8_t>();
  if (type_id > uint8_t(TypeId::kCategorical)) throw IOError("serialised table has unknown column type id " + std::to_string(type_id));
  const uint8_t unit = in.ReadRaw<uint8_t>();
  if (unit > uint8_t(TimeUnit::kNano)) throw IOError("serialised table has unknown time unit " + std::to_string(unit));
  const DataType type(static_cast<TypeId>(type_id), static_cast<TimeUnit>(unit));
  const int64_t length = in.ReadRaw<int64_t>();
  const int64_t null_count = in.ReadRaw<int64_t>();
  if (length < 0 || null_count < 0 || null_count > length) throw IOError("serialised table has a corrupt column header");
  BufferPtr validity;
  if (in.ReadRaw<uint8_t>() != 0) validity = ReadBuffer(in, bits::BytesForBits(length), "a validity bitmap");
  if (type.id() == TypeId::kString) {
    BufferPtr offsets = ReadBuffer(in, (length + 1) * 8, "string offsets");
    const int64_t bytes = in.ReadRaw<int64_t>();
    if (bytes < 0) throw IOError("serialised table has a negative string byte count");
    BufferPtr values = ReadBuffer(in, bytes, "string bytes");
    return Column::Make(type, length, values, validity, null_count, offsets);
  }
  if (length > in.remaining()) in.Require(length, "column values");  // before multiplying
  BufferPtr values = ReadBuffer(in, length * type.ByteWidth(), "column values");
  ColumnPtr dictionary;
  if (type.id() == TypeId::kCategorical) {
    std::string ignored;
    dictionary = GetColumn(in, &ignored);
  }
  return Column::Make(type, length, values, validity, null_count, nullptr, dictionary);
}

}  // namespace

void SerializeTable(const Table& table, ByteSink& out) {
  out.Write(kMagic, sizeof(kMagic));
  out.WriteRaw(kVersion);
  out.WriteRaw(uint8_t(table.has_index() ? 1 : 0));
  out.WriteRaw(int32_t(table.num_columns()));
  out.WriteRaw(int64_t(table.num_rows()));
  if (table.has_index()) PutColumn(*table.index(), table.index_name(), out);
  for (int i = 0; i < table.num_columns(); ++i) PutColumn(*table.column(i), table.schema().field(i).name, out);
}

void SerializeTable(const Table& table, std::string* out) {
  StringSink sink(out);
  SerializeTable(table, sink);
}

TablePtr DeserializeTable(std::string_view bytes) {
  StringReader reader(bytes);
  return DeserializeTable(reader);
}

TablePtr DeserializeTable(ByteReader& reader) {
  char magic[4] = {};
  if (reader.remaining() >= 4) reader.Read(magic, 4);
  if (std::memcmp(magic, kMagic, 4) != 0) {
    throw IOError("bytes are not a serialised tessera table (bad magic)");
  }
  const uint32_t version = reader.ReadRaw<uint32_t>();
  if (version != kVersion) {
    throw IOError("serialised table has format version " + std::to_string(version) + "; this build reads version " + std::to_string(kVersion));
  }
  const bool has_index = reader.ReadRaw<uint8_t>() != 0;
  const int32_t num_columns = reader.ReadRaw<int32_t>();
  const int64_t num_rows = reader.ReadRaw<int64_t>();
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
