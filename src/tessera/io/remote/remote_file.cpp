#include "tessera/io/remote/remote_file.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <list>
#include <mutex>
#include <thread>

#include "tessera/base/error.hpp"
#include "tessera/io/remote/object_store.hpp"
#include "tessera/memory/buffer.hpp"

namespace tessera::io::remote {

namespace {

// Reads at least this long are taken as part of a sequential scan and read ahead.
constexpr int64_t kSequentialBytes = int64_t(1) << 20;
// Size of each ranged request for readahead, advised ranges and large reads: large enough that
// a request's latency (tens of ms on S3) is small beside its transfer, small enough that a
// block's requests run in parallel.
constexpr int64_t kPartBytes = int64_t(16) << 20;
constexpr size_t kMaxParallelParts = 8;
// Background reads kept per object: four per thread reading it (an advised 64 MiB block), which
// bounds the memory they hold.
size_t MaxReadaheads() { return 4 * std::max(1u, std::thread::hardware_concurrency()) + 4; }

class RemoteObject final : public ByteSource {
 public:
  RemoteObject(const Location& location, const StorageOptions& options)
      : location_(location), store_(StoreFor(location, options)) {
    const ObjectInfo info = store_->Head(location_);
    size_ = info.size;
    etag_ = info.etag;
  }

  ~RemoteObject() override {
    // Wait for background reads: they write into buffers this object owns.
    for (auto& ahead : readaheads_) ahead.bytes.wait();
  }

  const std::string& path() const override { return location_.text; }
  int64_t size() const override { return size_; }

  int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const override {
    length = std::max<int64_t>(0, std::min(length, size_ - offset));
    int64_t done = 0;
    bool advised = false;
    while (done < length) {
      const int64_t taken = TakeReadahead(offset + done, length - done, dest + done, &advised);
      if (taken == 0) {
        Fetch(offset + done, length - done, dest + done);
        done = length;
      } else {
        done += taken;
      }
    }
    // Advised ranges are fetched as a whole already; other long reads are taken as a scan.
    if (length >= kSequentialBytes && !advised) StartReadahead(offset + length);
    return length;
  }

  void WillNeed(int64_t offset, int64_t length) const override {
    const int64_t end = std::min(size_, offset + length);
    std::vector<Readahead> evicted;
    {
      std::lock_guard lock(mutex_);
      for (int64_t at = offset; at < end;) {
        const auto covering = Covering(at);
        if (covering != readaheads_.end()) {
          at = covering->end;
          continue;
        }
        const int64_t part_end = std::min(end, at + kPartBytes);
        StartLocked(at, part_end, true, &evicted);
        at = part_end;
      }
    }
    for (auto& r : evicted) r.bytes.wait();
  }

 private:
  struct Readahead {
    int64_t begin;
    int64_t end;
    bool advised;
    std::shared_future<memory::BufferPtr> bytes;
  };

  std::list<Readahead>::iterator Covering(int64_t offset) const {
    return std::find_if(readaheads_.begin(), readaheads_.end(),
                        [&](const Readahead& r) { return r.begin <= offset && offset < r.end; });
  }

  // Copies what a background read holds of [offset, offset + length); returns the bytes copied
  // (0 when none covers `offset`). A readahead is dropped once read to its end.
  int64_t TakeReadahead(int64_t offset, int64_t length, uint8_t* dest, bool* advised) const {
    Readahead ahead;
    {
      std::lock_guard lock(mutex_);
      const auto found = Covering(offset);
      if (found == readaheads_.end()) return 0;
      ahead = *found;
      if (offset + length >= found->end) readaheads_.erase(found);
    }
    *advised = *advised || ahead.advised;
    const auto& bytes = *ahead.bytes.get();  // rethrows the background read's error
    const int64_t n = std::min(length, ahead.end - offset);
    std::memcpy(dest, bytes.data() + (offset - ahead.begin), size_t(n));
    return n;
  }

  // Starts fetching [begin, end) in the background; the caller holds mutex_. Evicted readaheads
  // are waited for by the caller after unlocking.
  void StartLocked(int64_t begin, int64_t end, bool advised, std::vector<Readahead>* evicted) const {
    if (readaheads_.size() >= MaxReadaheads()) {
      evicted->push_back(readaheads_.front());
      readaheads_.pop_front();
    }
    auto store = store_;
    const Location location = location_;
    const std::string etag = etag_;
    readaheads_.push_back({begin, end, advised, std::async(std::launch::async, [store, location, etag, begin, end] {
      // From the tracked pool, which keeps recently freed large buffers mapped for reuse.
      auto bytes = memory::Buffer::Allocate(end - begin);
      store->GetRange(location, begin, end - begin, etag, bytes->mutable_data());
      return memory::BufferPtr(std::move(bytes));
    }).share()});
  }

  // A scan reached `begin`: fetch the next part, or, when `begin` falls in a readahead under
  // way with less than half of it left, the part after that, so the next bytes are in flight
  // while these are parsed.
  void StartReadahead(int64_t begin) const {
    std::vector<Readahead> evicted;
    {
      std::lock_guard lock(mutex_);
      for (int hop = 0; hop < 2; ++hop) {
        const auto covering = Covering(begin);
        if (covering == readaheads_.end()) break;
        if (hop == 1 || covering->end - begin >= kPartBytes / 2) return;
        begin = covering->end;
      }
      const int64_t end = std::min(size_, begin + kPartBytes);
      if (begin < end) StartLocked(begin, end, false, &evicted);
    }
    for (auto& r : evicted) r.bytes.wait();
  }

  void Fetch(int64_t offset, int64_t length, uint8_t* dest) const {
    if (length <= kPartBytes * 2) {
      store_->GetRange(location_, offset, length, etag_, dest);
      return;
    }
    const int64_t parts = (length + kPartBytes - 1) / kPartBytes;
    for (int64_t first = 0; first < parts; first += int64_t(kMaxParallelParts)) {
      std::vector<std::future<void>> running;
      for (int64_t part = first; part < std::min<int64_t>(parts, first + int64_t(kMaxParallelParts)); ++part) {
        const int64_t begin = part * kPartBytes;
        const int64_t n = std::min(kPartBytes, length - begin);
        running.push_back(std::async(std::launch::async, [this, offset, begin, n, dest] {
          store_->GetRange(location_, offset + begin, n, etag_, dest + begin);
        }));
      }
      for (auto& part : running) part.wait();
      for (auto& part : running) part.get();
    }
  }

  Location location_;
  std::shared_ptr<const ObjectStore> store_;
  int64_t size_ = 0;
  std::string etag_;
  mutable std::mutex mutex_;
  mutable std::list<Readahead> readaheads_;
};

// Buffers writes; the first full part starts a multipart upload, and Close sends the rest (one
// PUT when the whole object fit in the buffer).
class RemoteOutput final : public OutputStream {
 public:
  RemoteOutput(const Location& location, const StorageOptions& options)
      : location_(location), store_(StoreFor(location, options)) {
    if (location.scheme == Scheme::kHttp) store_->Put(location_, {});  // names the unsupported case now
    if (location.key.empty()) throw InvalidArgument("cannot write to '" + location.text + "': the URL names no object");
  }
  ~RemoteOutput() override {
    if (!upload_id_.empty() && !closed_) store_->AbortMultipartUpload(location_, upload_id_);
  }

  const std::string& path() const override { return location_.text; }

  void Write(const char* data, size_t size) override {
    buffer_.append(data, size);
    if (int64_t(buffer_.size()) >= kPartBytes) {
      if (upload_id_.empty()) upload_id_ = store_->StartMultipartUpload(location_);
      etags_.push_back(store_->UploadPart(location_, upload_id_, int(etags_.size()) + 1, buffer_));
      buffer_.clear();
    }
  }

  void Close() override {
    if (closed_) return;
    if (upload_id_.empty()) {
      store_->Put(location_, buffer_);
    } else {
      if (!buffer_.empty()) etags_.push_back(store_->UploadPart(location_, upload_id_, int(etags_.size()) + 1, buffer_));
      store_->CompleteMultipartUpload(location_, upload_id_, etags_);
    }
    closed_ = true;
    buffer_.clear();
  }

 private:
  Location location_;
  std::shared_ptr<const ObjectStore> store_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<ByteSource> OpenRemoteObject(const Location& location, const StorageOptions& options) {
  if (location.scheme != Scheme::kHttp && location.key.empty()) {
    throw InvalidArgument("'" + location.text + "' names a bucket, not an object; add the object's path or a glob "
                          "such as '" + location.text + (location.text.back() == '/' ? "" : "/") + "*.csv'");
  }
  return std::make_shared<RemoteObject>(location, options);
}

std::vector<std::string> ExpandRemoteGlob(const Location& pattern, const StorageOptions& options) {
  if (pattern.scheme == Scheme::kHttp) {
    throw InvalidArgument("'" + pattern.text + "': globs need a listing, which web servers do not offer; "
                          "pass the URLs as a list");
  }
  const auto wildcard = pattern.key.find_first_of("*?[");
  const std::string prefix = pattern.key.substr(0, wildcard);
  const std::string scheme = pattern.text.substr(0, pattern.text.find("://") + 3);
  std::vector<std::string> found;
  for (const auto& object : StoreFor(pattern, options)->List(pattern.bucket, prefix)) {
    if (::fnmatch(pattern.key.c_str(), object.key.c_str(), FNM_PATHNAME) == 0) {
      found.push_back(scheme + pattern.bucket + "/" + object.key);
    }
  }
  if (found.empty()) throw IOError("no objects match '" + pattern.text + "'; check the bucket, the path and the pattern");
  std::sort(found.begin(), found.end());
  return found;
}

std::unique_ptr<OutputStream> OpenRemoteOutput(const Location& location, const StorageOptions& options) {
  return std::make_unique<RemoteOutput>(location, options);
}

}  // namespace tessera::io::remote
