#include "tessera/io/file_system.hpp"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tessera/base/error.hpp"
#include "tessera/io/remote/remote_file.hpp"
#include "tessera/io/remote/url.hpp"

namespace tessera::io {

namespace {

std::string SystemError(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

bool HasGlobCharacters(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A file opened only while a read runs, so a plan over 100,000 files holds no descriptors: each
// ReadAt opens, checks the file is unchanged since planning, reads and closes.
class LocalFile final : public ByteSource {
 public:
  explicit LocalFile(std::string path) : path_(std::move(path)) {
    const Descriptor file(path_);
    const struct stat info = file.Stat();
    if (S_ISDIR(info.st_mode)) {
      throw IOError("'" + path_ + "' is a directory; pass a file or a glob such as '" + path_ + "/*.csv'");
    }
    size_ = info.st_size;
    mtime_ns_ = ModificationNanos(info);
  }

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

  int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const override {
    length = std::max<int64_t>(0, std::min(length, size_ - offset));
    const Descriptor file(path_);
    CheckUnchanged(file.Stat());
    int64_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(file.fd, dest + done, size_t(length - done), offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw IOError(SystemError("cannot read", path_));
      }
      if (n == 0) {
        throw IOError("file '" + path_ + "' became shorter while it was being read (expected " +
                      std::to_string(size_) + " bytes); read it again once it stops changing");
      }
      done += n;
    }
    return done;
  }

 private:
  struct Descriptor {
    explicit Descriptor(const std::string& path) : path(path), fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
      if (fd < 0) {
        const int error = errno;
        std::string message = SystemError("cannot open", path);
        if (error == EMFILE || error == ENFILE) {
          message += "; the process has too many files open: close some, or raise the limit (ulimit -n)";
        }
        throw IOError(message);
      }
    }
    ~Descriptor() { ::close(fd); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    struct stat Stat() const {
      struct stat info {};
      if (::fstat(fd, &info) != 0) throw IOError(SystemError("cannot stat", path));
      return info;
    }
    const std::string& path;
    int fd;
  };

  static int64_t ModificationNanos(const struct stat& info) {
    return int64_t(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  }

  void CheckUnchanged(const struct stat& info) const {
    if (info.st_size != size_ || ModificationNanos(info) != mtime_ns_) {
      throw IOError("file '" + path_ + "' changed while it was being read (size " +
                    std::to_string(size_) + " -> " + std::to_string(info.st_size) +
                    " bytes); read it again once it stops changing");
    }
  }

  std::string path_;
  int64_t size_ = 0;
  int64_t mtime_ns_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string path, memory::BufferPtr bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return bytes_->size(); }
  int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const override {
    length = std::max<int64_t>(0, std::min(length, size() - offset));
    if (length > 0) std::memcpy(dest, bytes_->data() + offset, size_t(length));
    return length;
  }

 private:
  std::string path_;
  memory::BufferPtr bytes_;
};

class LocalOutput final : public OutputStream {
 public:
  explicit LocalOutput(std::string path) : path_(std::move(path)) {
    CreateParentDirectories(path_);
    file_.open(path_, std::ios::binary | std::ios::trunc);
    if (!file_) throw IOError(SystemError("cannot open for writing", path_));
  }
  const std::string& path() const override { return path_; }
  void Write(const char* data, size_t size) override {
    file_.write(data, std::streamsize(size));
    if (!file_) throw IOError("could not write to '" + path_ + "' (disk full?)");
  }
  void Close() override {
    file_.close();
    if (!file_) throw IOError("could not finish writing '" + path_ + "' (disk full?)");
  }

 private:
  std::string path_;
  std::ofstream file_;
};

std::vector<uint8_t> ReadWholeFile(const ByteSource& file) {
  std::vector<uint8_t> bytes(size_t(file.size()));
  file.ReadAt(0, file.size(), bytes.data());
  return bytes;
}

memory::BufferPtr Gunzip(const std::string& path, const std::vector<uint8_t>& input) {
  auto output = memory::Buffer::Allocate(0);
  output->Reserve(int64_t(input.size()) * 4 + 1024);
  z_stream stream{};
  // 15 + 32: accept gzip or zlib headers; concatenated gzip members are handled by the loop.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw IOError("cannot start gzip decoder for '" + path + "'");
  stream.next_in = const_cast<Bytef*>(input.data());
  stream.avail_in = uInt(input.size());
  int64_t produced = 0;
  while (true) {
    if (produced == output->capacity()) output->Reserve(produced * 2);
    stream.next_out = output->mutable_data() + produced;
    stream.avail_out = uInt(std::min<int64_t>(output->capacity() - produced, 1 << 30));
    const uInt before = stream.avail_out;
    const int status = inflate(&stream, Z_NO_FLUSH);
    produced += before - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);
      continue;
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      inflateEnd(&stream);
      throw IOError("'" + path + "' is not a valid gzip file (" +
                    (stream.msg ? stream.msg : "corrupt data") + ")");
    }
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      throw IOError("'" + path + "' ends in the middle of its gzip stream; the file is truncated");
    }
  }
  inflateEnd(&stream);
  output->Resize(produced);
  output->ShrinkToFit();
  return output;
}

memory::BufferPtr Unzstd(const std::string& path, const std::vector<uint8_t>& input) {
  auto output = memory::Buffer::Allocate(0);
  output->Reserve(int64_t(input.size()) * 4 + 1024);
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_initDStream(stream);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  int64_t produced = 0;
  size_t last = 1;
  while (in.pos < in.size) {
    if (produced == output->capacity()) output->Reserve(produced * 2);
    ZSTD_outBuffer out{output->mutable_data() + produced, size_t(output->capacity() - produced), 0};
    last = ZSTD_decompressStream(stream, &out, &in);
    produced += int64_t(out.pos);
    if (ZSTD_isError(last)) {
      ZSTD_freeDStream(stream);
      throw IOError("'" + path + "' is not a valid zstd file (" + ZSTD_getErrorName(last) + ")");
    }
  }
  // Drain output still buffered inside the decoder.
  while (last != 0) {
    if (produced == output->capacity()) output->Reserve(produced * 2);
    ZSTD_outBuffer out{output->mutable_data() + produced, size_t(output->capacity() - produced), 0};
    last = ZSTD_decompressStream(stream, &out, &in);
    if (ZSTD_isError(last) || out.pos == 0) break;
    produced += int64_t(out.pos);
  }
  ZSTD_freeDStream(stream);
  if (last != 0) throw IOError("'" + path + "' ends in the middle of its zstd frame; the file is truncated");
  output->Resize(produced);
  output->ShrinkToFit();
  return output;
}

}  // namespace

std::vector<std::string> ExpandPaths(const std::vector<std::string>& patterns, const StorageOptions& storage) {
  if (patterns.empty()) throw InvalidArgument("no input paths given");
  std::vector<std::string> files;
  for (const auto& entry : patterns) {
    const remote::Location location = remote::ParseLocation(entry);
    if (location.scheme == remote::Scheme::kHttp) {
      // '?' starts a query, not a wildcard; a '*' before it asks for a listing (an error).
      if (entry.substr(0, entry.find('?')).find('*') != std::string::npos) remote::ExpandRemoteGlob(location, storage);
      files.push_back(entry);
      continue;
    }
    if (location.scheme != remote::Scheme::kLocal) {
      if (HasGlobCharacters(location.key)) {
        const auto found = remote::ExpandRemoteGlob(location, storage);
        files.insert(files.end(), found.begin(), found.end());
      } else {
        files.push_back(entry);
      }
      continue;
    }
    const std::string& pattern = location.path;
    if (!HasGlobCharacters(pattern)) {
      struct stat info {};
      if (::stat(pattern.c_str(), &info) != 0) throw IOError(SystemError("cannot open", pattern));
      files.push_back(pattern);
      continue;
    }
    glob_t matches{};
    const int status = ::glob(pattern.c_str(), 0, nullptr, &matches);
    std::vector<std::string> found;
    if (status == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) found.emplace_back(matches.gl_pathv[i]);
    }
    ::globfree(&matches);
    if (found.empty()) {
      throw IOError("no files match '" + pattern + "'; check the directory and the pattern");
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

Compression CompressionFromPath(const std::string& path) {
  if (EndsWith(path, ".gz")) return Compression::kGzip;
  if (EndsWith(path, ".zst") || EndsWith(path, ".zstd")) return Compression::kZstd;
  return Compression::kNone;
}

Compression ParseCompression(const std::string& name, const std::string& path) {
  if (name == "infer") return CompressionFromPath(path);
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  if (name.empty() || name == "none") return Compression::kNone;
  throw InvalidArgument("unknown compression '" + name + "'; use 'infer', 'gzip', 'zstd' or 'none'");
}

std::shared_ptr<ByteSource> OpenLocalFile(const std::string& path) {
  return std::make_shared<LocalFile>(path);
}

std::shared_ptr<ByteSource> OpenMemory(std::string path, memory::BufferPtr bytes) {
  return std::make_shared<MemorySource>(std::move(path), std::move(bytes));
}

std::shared_ptr<ByteSource> OpenDecompressed(const std::string& path, Compression compression,
                                             const StorageOptions& storage) {
  const auto compressed = ReadWholeFile(*OpenInput(path, Compression::kNone, storage));
  memory::BufferPtr bytes =
      compression == Compression::kGzip ? Gunzip(path, compressed) : Unzstd(path, compressed);
  return OpenMemory(path, std::move(bytes));
}

std::shared_ptr<ByteSource> OpenInput(const std::string& path, Compression compression,
                                      const StorageOptions& storage) {
  if (compression != Compression::kNone) return OpenDecompressed(path, compression, storage);
  const remote::Location location = remote::ParseLocation(path);
  if (location.scheme == remote::Scheme::kLocal) return OpenLocalFile(location.path);
  return remote::OpenRemoteObject(location, storage);
}

std::unique_ptr<OutputStream> OpenOutput(const std::string& path, const StorageOptions& storage) {
  const remote::Location location = remote::ParseLocation(path);
  if (location.scheme == remote::Scheme::kLocal) return std::make_unique<LocalOutput>(location.path);
  return remote::OpenRemoteOutput(location, storage);
}

void CreateParentDirectories(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) throw IOError("cannot create directory '" + parent.string() + "': " + error.message());
}

}  // namespace tessera::io
