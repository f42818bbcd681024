// Spilling to zstd-compressed files (see spill_store.hpp).
#include "tessera/sched/spill_store.hpp"

#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

void WriteFile(const std::string& path, const std::string& bytes) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw IOError("cannot create spill file " + path + "; check that the spill directory is writable and has space");
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
  const bool closed = std::fclose(file) == 0;
  if (written != bytes.size() || !closed) {
    throw IOError("cannot write " + std::to_string(bytes.size()) + " bytes to spill file " + path + " (disk full?); free disk space or set MemoryOptions::spill_directory");
  }
}

std::string ReadFile(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw IOError("spill file " + path + " disappeared; something removed the scheduler's temporary directory");
  std::string bytes;
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) bytes.append(chunk, got);
  std::fclose(file);
  return bytes;
}

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
  const std::string compressed = ReadFile(path);
  const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    throw IOError("spill file " + path + " is corrupt (not a zstd frame)");
  }
  std::string bytes(size, '\0');
  const size_t got = ZSTD_decompress(bytes.data(), bytes.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(got) || got != size) throw IOError("spill file " + path + " is corrupt: " + ZSTD_getErrorName(got));
  graph::ValuePtr value = graph::DeserializeTagged(bytes);
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
    std::string bytes;
    graph::SerializeTagged(*value, &bytes);
    std::string compressed(ZSTD_compressBound(bytes.size()), '\0');
    const size_t size = ZSTD_compress(compressed.data(), compressed.size(), bytes.data(), bytes.size(), options_.zstd_level);
    if (ZSTD_isError(size)) throw Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(size));
    compressed.resize(size);
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
    WriteFile(path, compressed);
    file_bytes = int64_t(size);
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
