#include "tessera/io/parquet/thrift_serialization.hpp"

#include <cstring>
#include <map>

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "tessera/base/error.hpp"

namespace tessera::io::parquet {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

// Bounds a corrupt length can claim; real footers stay far below them.
constexpr int kMaxMessageBytes = 1 << 30;
constexpr int kMaxStringBytes = 1 << 28;
constexpr int kMaxContainerSize = 1 << 24;

template <typename T>
int64_t Deserialize(const uint8_t* data, int64_t size, T* out, const char* what) {
  if (size <= 0 || size > kMaxMessageBytes) {  // no bytes: nothing Thrift could read (and a null base)
    throw ParseError(std::string(what) + " of " + std::to_string(size) + " bytes is out of range");
  }
  try {
    auto config = std::make_shared<TConfiguration>(kMaxMessageBytes, kMaxMessageBytes);
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), uint32_t(size),
                                                  TMemoryBuffer::OBSERVE, config);
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, kMaxStringBytes, kMaxContainerSize);
    out->read(&protocol);
    return size - int64_t(buffer->available_read());
  } catch (const apache::thrift::TException& e) {
    throw ParseError(std::string("corrupt ") + what + ": " + e.what());
  }
}

// Thrift stores whatever 32-bit number it reads into an enum field, and loading a number the enum
// does not declare is undefined behaviour; so each enum field is read as its bytes and checked
// against the values the format declares before anything uses it.
template <typename E>
void CheckEnum(const E& field, const std::map<int, const char*>& declared, const char* what, const char* name) {
  static_assert(sizeof(E) == sizeof(int32_t), "thrift enums hold 32-bit values");
  int32_t raw;
  std::memcpy(&raw, &field, sizeof raw);
  if (declared.count(raw) == 0) {
    throw ParseError(std::string("corrupt ") + what + ": " + name + " " + std::to_string(raw) +
                     " is not a value the Parquet format defines");
  }
}

void CheckEnums(const format::PageHeader& header) {
  const char* what = "page header";
  CheckEnum(header.type, format::_PageType_VALUES_TO_NAMES, what, "page type");
  const auto& encodings = format::_Encoding_VALUES_TO_NAMES;
  CheckEnum(header.data_page_header.encoding, encodings, what, "encoding");
  CheckEnum(header.data_page_header.definition_level_encoding, encodings, what, "definition level encoding");
  CheckEnum(header.data_page_header.repetition_level_encoding, encodings, what, "repetition level encoding");
  CheckEnum(header.dictionary_page_header.encoding, encodings, what, "dictionary encoding");
  CheckEnum(header.data_page_header_v2.encoding, encodings, what, "encoding");
}

void CheckEnums(const format::FileMetaData& footer) {
  const char* what = "Parquet footer";
  for (const auto& element : footer.schema) {
    CheckEnum(element.type, format::_Type_VALUES_TO_NAMES, what, "physical type");
    CheckEnum(element.repetition_type, format::_FieldRepetitionType_VALUES_TO_NAMES, what, "repetition type");
    CheckEnum(element.converted_type, format::_ConvertedType_VALUES_TO_NAMES, what, "converted type");
  }
  for (const auto& group : footer.row_groups) {
    for (const auto& chunk : group.columns) {
      const auto& meta = chunk.meta_data;
      CheckEnum(meta.type, format::_Type_VALUES_TO_NAMES, what, "physical type");
      CheckEnum(meta.codec, format::_CompressionCodec_VALUES_TO_NAMES, what, "compression codec");
      // meta.encodings only lists what the pages use and is never read: a newer writer's
      // encoding there must not make the file unreadable (the pages' own encodings are checked).
    }
  }
}

template <typename T>
std::string SerializeValue(const T& value) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TCompactProtocolT<TMemoryBuffer> protocol(buffer);
  value.write(&protocol);
  return buffer->getBufferAsString();
}

}  // namespace

void ReadFileMetaData(const uint8_t* data, int64_t size, format::FileMetaData* out) {
  Deserialize(data, size, out, "Parquet footer");
  CheckEnums(*out);
}

int64_t ReadPageHeader(const uint8_t* data, int64_t size, format::PageHeader* out) {
  const int64_t read = Deserialize(data, std::min<int64_t>(size, kMaxMessageBytes), out, "page header");
  CheckEnums(*out);
  return read;
}

std::string Serialize(const format::FileMetaData& value) { return SerializeValue(value); }
std::string Serialize(const format::PageHeader& value) { return SerializeValue(value); }

}  // namespace tessera::io::parquet
