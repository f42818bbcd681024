// Spilling to zstd-compressed files (see spill_store.hpp).
#include "tessera/sched/spill_store.hpp"

#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::sched {

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? int64_t(pages) * int64_t(page_size) : int64_t(8) << 30;
}

namespace {

std::string FormatBytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", double(bytes) / 1e6);
  return text;
}

// A spill file: [u64 bytes of the serialised value][one zstd frame of them]. Values stream
// through a small buffer in each direction; no whole copy of a value is ever made.
class SpillFileSink final : public ByteSink {
 public:
  SpillFileSink(const std::string& path, int level) : path_(path), file_(std::fopen(path.c_str(), "wb")), context_(ZSTD_createCCtx()) {
    if (file_ == nullptr) throw IOError("cannot create spill file " + path + "; check that the spill directory is writable and has space");
    ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
    buffer_.resize(ZSTD_CStreamOutSize());
    const uint64_t unknown = 0;
    Put(&unknown, sizeof(unknown));
  }
  ~SpillFileSink() override {
    if (file_ != nullptr) std::fclose(file_);
    ZSTD_freeCCtx(context_);
  }
  using ByteSink::Write;
  void Write(const void* data, size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) Compress(&in, ZSTD_e_continue);
    bytes_ += size;
  }
  /// Ends the frame and records the size; returns the file's bytes.
  int64_t Finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (Compress(&in, ZSTD_e_end) != 0) {
    }
    if (std::fseek(file_, 0, SEEK_SET) != 0) Fail();
    Put(&bytes_, sizeof(bytes_));
    const int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) Fail();
    return int64_t(written_);
  }

 private:
  size_t Compress(ZSTD_inBuffer* in, ZSTD_EndDirective directive) {
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    const size_t left = ZSTD_compressStream2(context_, &out, in, directive);
    if (ZSTD_isError(left)) throw Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(left));
    Put(buffer_.data(), out.pos);
    return left;
  }
  void Put(const void* data, size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, file_) != size) Fail();
    written_ += size;
  }
  [[noreturn]] void Fail() {
    throw IOError("cannot write spill file " + path_ + " (disk full?); free disk space or set MemoryOptions::spill_directory");
  }

  std::string path_;
  FILE* file_;
  ZSTD_CCtx* context_;
  std::vector<char> buffer_;
  uint64_t bytes_ = 0;
  uint64_t written_ = 0;
};

class SpillFileReader final : public ByteReader {
 public:
  explicit SpillFileReader(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "rb")), context_(ZSTD_createDCtx()) {
    if (file_ == nullptr) throw IOError("spill file " + path + " disappeared; something removed the scheduler's temporary directory");
    input_.resize(ZSTD_DStreamInSize());
    uint64_t total = 0;
    if (std::fread(&total, 1, sizeof(total), file_) != sizeof(total)) Corrupt("shorter than its header");
    remaining_ = int64_t(total);
  }
  ~SpillFileReader() override {
    std::fclose(file_);
    ZSTD_freeDCtx(context_);
  }
  void Read(void* dest, size_t size) override {
    if (int64_t(size) > remaining_) Corrupt("a read runs past the recorded size");
    ZSTD_outBuffer out{dest, size, 0};
    while (out.pos < out.size) {
      if (in_.pos == in_.size) {
        in_ = {input_.data(), std::fread(input_.data(), 1, input_.size(), file_), 0};
        if (in_.size == 0) Corrupt("truncated");
      }
      const size_t result = ZSTD_decompressStream(context_, &out, &in_);
      if (ZSTD_isError(result)) Corrupt(ZSTD_getErrorName(result));
    }
    remaining_ -= int64_t(size);
  }
  int64_t remaining() const override { return remaining_; }

 private:
  [[noreturn]] void Corrupt(const std::string& what) { throw IOError("spill file " + path_ + " is corrupt: " + what); }

  std::string path_;
  FILE* file_;
  ZSTD_DCtx* context_;
  std::vector<char> input_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  int64_t remaining_ = 0;
};

}  // namespace

StoredValue::~StoredValue() {
  if (store_) store_->Forget(this);
}

std::shared_ptr<SpillStore> SpillStore::Make(const MemoryOptions& options, EventStream* events) {
  return std::shared_ptr<SpillStore>(new SpillStore(options, events));
}

SpillStore::SpillStore(const MemoryOptions& options, EventStream* events) : options_(options), events_(events) {
  limit_ = options.memory_limit > 0 ? options.memory_limit : int64_t(double(PhysicalMemoryBytes()) * options.ram_fraction);
  spill_bytes_ = int64_t(double(limit_) * options.spill_fraction);
  pause_bytes_ = int64_t(double(limit_) * options.pause_fraction);
}

SpillStore::~SpillStore() {
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

void SpillStore::Touch(StoredValue* stored) {
  if (stored->in_lru_) lru_.splice(lru_.begin(), lru_, stored->lru_position_);
}

StoredValuePtr SpillStore::Put(graph::Key key, graph::ValuePtr value, int64_t nbytes) {
  StoredValuePtr stored(new StoredValue());
  stored->store_ = shared_from_this();
  stored->key_ = key;
  stored->nbytes_ = nbytes;
  {
    std::lock_guard lock(mutex_);
    stored->value_ = std::move(value);
    lru_.push_front(stored.get());
    stored->lru_position_ = lru_.begin();
    stored->in_lru_ = true;
  }
  memory_bytes_.fetch_add(nbytes);
  if (memory_bytes() > spill_bytes_) SpillDownTo(spill_bytes_);
  if (memory_bytes() > limit_) {
    throw OutOfMemory("memory limit of " + FormatBytes(limit_) + " exceeded: " + FormatBytes(memory_bytes()) +
                      " of results are held in memory and none can be spilled (results smaller than " +
                      std::to_string(options_.spill_min_bytes) + " bytes or without serialisation stay in memory) while storing " +
                      key.ToString() + "; raise the memory limit, use smaller partitions, or make the values serialisable");
  }
  return stored;
}

graph::ValuePtr SpillStore::Get(StoredValue& stored) {
  std::string path;
  {
    std::lock_guard lock(mutex_);
    if (stored.value_) {
      Touch(&stored);
      return stored.value_;
    }
    path = stored.path_;
  }
  const int64_t start = NowNs();
  graph::ValuePtr value;
  {
    SpillFileReader reader(path);
    value = graph::DeserializeTagged(reader);
  }
  {
    std::lock_guard lock(mutex_);
    if (!stored.value_) {
      stored.value_ = value;
      memory_bytes_.fetch_add(stored.nbytes_);
      spilled_bytes_.fetch_sub(stored.nbytes_);
      total_read_back_.fetch_add(stored.nbytes_);
      lru_.push_front(&stored);
      stored.lru_position_ = lru_.begin();
      stored.in_lru_ = true;
    }
    value = stored.value_;
  }
  if (EventStream* events = events_.load()) {
    Event event;
    event.type = EventType::kReadBack;
    event.thread = -1;
    event.key = stored.key_;
    event.start_ns = start;
    event.end_ns = NowNs();
    event.bytes = stored.nbytes_;
    events->Record(-1, event);
  }
  if (memory_bytes() > spill_bytes_) SpillDownTo(spill_bytes_);
  return value;
}

int64_t SpillStore::SpillDownTo(int64_t target) {
  const int64_t before = memory_bytes();
  while (memory_bytes() > target) {
    if (!SpillOne()) break;
  }
  return before - memory_bytes();
}

bool SpillStore::SpillOne() {
  StoredValuePtr victim;
  graph::ValuePtr value;
  std::string path;
  {
    std::lock_guard lock(mutex_);
    while (!lru_.empty() && !victim) {
      StoredValue* candidate = lru_.back();
      lru_.pop_back();
      candidate->in_lru_ = false;
      victim = candidate->weak_from_this().lock();  // null when it is being destroyed
    }
    if (!victim) return false;
    value = victim->value_;
    path = victim->path_;
    victim->spilling_ = true;
  }
  const int64_t start = NowNs();
  int64_t file_bytes = 0;
  if (path.empty()) {
    // Written once: a value read back keeps its file, so spilling it again costs nothing.
    {
      std::lock_guard lock(mutex_);
      if (directory_.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        std::string base = !options_.spill_directory.empty() ? options_.spill_directory : (tmp && *tmp ? tmp : "/tmp");
        std::filesystem::create_directories(base);
        std::string pattern = base + "/tessera-spill-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw IOError("cannot create a spill directory in " + base + "; set MemoryOptions::spill_directory to a writable place");
        directory_ = pattern;
      }
      path = directory_ + "/" + std::to_string(next_file_.fetch_add(1)) + ".zst";
    }
    try {
      SpillFileSink sink(path, options_.zstd_level);
      graph::SerializeTagged(*value, sink);
      file_bytes = sink.Finish();
    } catch (...) {
      // The value stays in memory, spillable again later; no half-written file is left behind.
      std::remove(path.c_str());
      std::lock_guard lock(mutex_);
      victim->spilling_ = false;
      if (!victim->in_lru_) {
        lru_.push_back(victim.get());
        victim->lru_position_ = std::prev(lru_.end());
        victim->in_lru_ = true;
      }
      throw;
    }
    total_spilled_.fetch_add(victim->nbytes_);
  }
  {
    std::lock_guard lock(mutex_);
    victim->path_ = path;
    victim->spilling_ = false;
    if (victim->value_ && !victim->in_lru_) {
      victim->value_.reset();
      memory_bytes_.fetch_sub(victim->nbytes_);
      spilled_bytes_.fetch_add(victim->nbytes_);
    }
  }
  if (EventStream* events = events_.load()) {
    Event event;
    event.type = EventType::kSpill;
    event.key = victim->key_;
    event.start_ns = start;
    event.end_ns = NowNs();
    event.bytes = victim->nbytes_;
    event.extra = file_bytes;
    events->Record(-1, event);
  }
  return true;
}

void SpillStore::Forget(StoredValue* stored) {
  std::string path;
  {
    std::lock_guard lock(mutex_);
    if (stored->in_lru_) lru_.erase(stored->lru_position_);
    stored->in_lru_ = false;
    if (stored->value_) {
      memory_bytes_.fetch_sub(stored->nbytes_);
    } else if (!stored->path_.empty()) {
      spilled_bytes_.fetch_sub(stored->nbytes_);
    }
    path = stored->path_;
  }
  if (!path.empty()) std::remove(path.c_str());
}

}  // namespace tessera::sched
