// Local files: expanding paths and globs, byte-range reads, and transparent decompression of
// .gz/.zst files. Readers see every input as a ByteSource, so plain and compressed files share
// one parsing path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/memory/buffer.hpp"

namespace tessera::io {

/// Expands each entry (a path or a glob with * ? [..]) into files, sorted within each glob.
/// Throws IOError naming the entry when a glob matches nothing or a path does not exist.
std::vector<std::string> ExpandPaths(const std::vector<std::string>& patterns);

enum class Compression { kNone, kGzip, kZstd };

/// Compression from a file name: ".gz" -> gzip, ".zst"/".zstd" -> zstd, otherwise none.
Compression CompressionFromPath(const std::string& path);
/// Parses "infer", "gzip", "zstd" or "none"/"" (throws InvalidArgument otherwise).
Compression ParseCompression(const std::string& name, const std::string& path);

/// Random-access bytes of one input. ReadAt may be called from several threads at once.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  /// Reads up to `length` bytes at `offset` into dest; returns the number read (short at EOF).
  /// Throws IOError when the file changed since it was opened or cannot be read.
  virtual int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const = 0;
};

/// A local file read with pread; remembers size and modification time at open so a file that
/// changes underneath a running read is reported instead of yielding mixed data. It holds no
/// descriptor between reads (each ReadAt opens and closes the file), so plans over any number
/// of files stay within the process's limit of open files.
std::shared_ptr<ByteSource> OpenLocalFile(const std::string& path);
/// Decompresses a whole .gz/.zst file into memory (tracked by the memory pool).
std::shared_ptr<ByteSource> OpenDecompressed(const std::string& path, Compression compression);
/// Bytes already in memory, named `path` in error messages.
std::shared_ptr<ByteSource> OpenMemory(std::string path, memory::BufferPtr bytes);
/// Opens `path` according to `compression` (kNone reads it in place).
std::shared_ptr<ByteSource> OpenInput(const std::string& path, Compression compression);

/// Creates the directories of `path` (like mkdir -p on its parent).
void CreateParentDirectories(const std::string& path);

}  // namespace tessera::io
