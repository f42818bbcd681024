// Byte streams for serialisation. Values write themselves to a ByteSink and are rebuilt from a
// ByteReader, so a spill file (or later a network frame) is streamed through a small buffer
// instead of being assembled as one contiguous copy of the value first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tessera {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void Write(const void* data, size_t size) = 0;

  template <typename T>
  void WriteRaw(const T& value) { Write(&value, sizeof(T)); }
  void Write(std::string_view text) { Write(text.data(), text.size()); }
};

/// Appends to a string.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  using ByteSink::Write;
  void Write(const void* data, size_t size) override { out_->append(static_cast<const char*>(data), size); }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  /// Fills `dest` with the next `size` bytes; IOError naming what is read when fewer remain.
  virtual void Read(void* dest, size_t size) = 0;
  /// Bytes left to read. Readers check lengths against it before allocating, so corrupt input
  /// cannot ask for more memory than the input could fill.
  virtual int64_t remaining() const = 0;

  template <typename T>
  T ReadRaw() {
    T value;
    Read(&value, sizeof(T));
    return value;
  }
  /// Throws IOError unless `size` bytes remain; `what` names the field being read.
  void Require(int64_t size, std::string_view what) const;
};

/// Reads from bytes in memory (not copied: they must outlive the reader).
class StringReader final : public ByteReader {
 public:
  explicit StringReader(std::string_view bytes) : bytes_(bytes) {}
  void Read(void* dest, size_t size) override;
  int64_t remaining() const override { return int64_t(bytes_.size() - position_); }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

}  // namespace tessera
