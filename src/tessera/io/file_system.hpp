// Inputs and outputs by location: local paths, file://, s3://, gs:// (gcs://) and http(s)://
// URLs (remote ones through io/remote/). Expanding paths and globs, byte-range reads, and
// transparent decompression of .gz/.zst files. Readers see every input as a ByteSource and
// writers every output as an OutputStream, so local and remote data share one parsing path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/storage_options.hpp"
#include "tessera/memory/buffer.hpp"

namespace tessera::io {

/// Expands each entry (a path or URL, or a glob with * ? [..]) into files, sorted within each
/// glob. Globs on s3:// and gs:// list the bucket from the key's prefix before the first
/// wildcard; http(s) URLs are taken as given. Throws IOError naming the entry when a glob
/// matches nothing or a local path does not exist (a remote object is checked when opened).
std::vector<std::string> ExpandPaths(const std::vector<std::string>& patterns, const StorageOptions& storage = {});

enum class Compression { kNone, kGzip, kZstd };

/// Compression from a file name: ".gz" -> gzip, ".zst"/".zstd" -> zstd, otherwise none.
Compression CompressionFromPath(const std::string& path);
/// Parses "infer", "gzip", "zstd" or "none"/"" (throws InvalidArgument otherwise).
Compression ParseCompression(const std::string& name, const std::string& path);

/// Random-access bytes of one input. ReadAt may be called from several threads at once, and
/// blocks until the bytes are there (a disk read, or HTTP requests for a remote object).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  /// Reads up to `length` bytes at `offset` into dest; returns the number read (short at EOF).
  /// Throws IOError when the file changed since it was opened or cannot be read.
  virtual int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const = 0;
  /// Advice that the caller will soon read [offset, offset + length) in order (a CSV block, a
  /// Parquet column chunk): a remote source starts fetching it in the background, in parallel
  /// ranged requests. Returns at once; a local file ignores it.
  virtual void WillNeed(int64_t /*offset*/, int64_t /*length*/) const {}
};

/// A local file read with pread; remembers size and modification time at open so a file that
/// changes underneath a running read is reported instead of yielding mixed data. It holds no
/// descriptor between reads (each ReadAt opens and closes the file), so plans over any number
/// of files stay within the process's limit of open files.
std::shared_ptr<ByteSource> OpenLocalFile(const std::string& path);
/// Decompresses a whole .gz/.zst file (local or remote) into memory (tracked by the memory pool).
std::shared_ptr<ByteSource> OpenDecompressed(const std::string& path, Compression compression,
                                             const StorageOptions& storage = {});
/// Bytes already in memory, named `path` in error messages.
std::shared_ptr<ByteSource> OpenMemory(std::string path, memory::BufferPtr bytes);
/// Opens `path` (a local path or URL) according to `compression` (kNone reads it in place:
/// a remote object's size comes from a HEAD request, and reads are ranged GETs).
std::shared_ptr<ByteSource> OpenInput(const std::string& path, Compression compression,
                                      const StorageOptions& storage = {});

/// Bytes written in order to one output. Used by one thread at a time.
class OutputStream {
 public:
  /// Discards an output that was not closed (an unfinished upload is aborted).
  virtual ~OutputStream() = default;
  virtual const std::string& path() const = 0;
  /// May block while a part is uploaded; throws IOError naming the path.
  virtual void Write(const char* data, size_t size) = 0;
  /// Flushes and finishes the output; throws IOError when the data could not all be written.
  virtual void Close() = 0;
};

/// Creates or truncates `path`: a local file (parent directories are created), or an s3:// or
/// gs:// object (sent in parts while written). http(s) outputs are rejected.
std::unique_ptr<OutputStream> OpenOutput(const std::string& path, const StorageOptions& storage = {});

/// Creates the directories of `path` (like mkdir -p on its parent).
void CreateParentDirectories(const std::string& path);

}  // namespace tessera::io
