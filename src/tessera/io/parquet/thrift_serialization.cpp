#include "tessera/io/parquet/thrift_serialization.hpp"

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
  if (size < 0 || size > kMaxMessageBytes) {
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
}

int64_t ReadPageHeader(const uint8_t* data, int64_t size, format::PageHeader* out) {
  return Deserialize(data, std::min<int64_t>(size, kMaxMessageBytes), out, "page header");
}

std::string Serialize(const format::FileMetaData& value) { return SerializeValue(value); }
std::string Serialize(const format::PageHeader& value) { return SerializeValue(value); }

}  // namespace tessera::io::parquet
