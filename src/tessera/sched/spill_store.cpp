// Spilling to zstd-compressed files (see spill_store.hpp).
#include "tessera/sched/spill_store.hpp"

#include <signal.h>
#include <unistd.h>
#include <zstd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::sched {

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? int64_t(pages) * int64_t(page_size) : int64_t(8) << 30;
}

namespace {

// Spill directories are named tessera-spill-<pid>-<random>, so those of processes that died
// without cleaning up (killed, crashed) can be told apart from those of live ones.
constexpr std::string_view kSpillPrefix = "tessera-spill-";

std::string SpillBase(const MemoryOptions& options) {
  if (!options.spill_directory.empty()) return options.spill_directory;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// Removes the spill directories in `base` whose process is gone; once per base and process.
void RemoveOrphanSpillDirectories(const std::string& base) {
  static std::mutex mutex;
  static std::set<std::string> cleaned;
  {
    std::lock_guard lock(mutex);
    if (!cleaned.insert(base).second) return;
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(base, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kSpillPrefix)) continue;
    const std::string_view rest = std::string_view(name).substr(kSpillPrefix.size());
    const size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0) continue;
    pid_t pid = 0;
    const auto [end, parsed] = std::from_chars(rest.data(), rest.data() + dash, pid);
    if (parsed != std::errc() || end != rest.data() + dash || pid <= 0) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

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
  std::shared_ptr<SpillStore> store(new SpillStore(options, events));
  store->pool_->AddReservationHandler(store);
  return store;
}

namespace {
// Free memory at the top of a heap beyond which free() gives it back to the system.
constexpr int kTrimThresholdBytes = 4 << 20;

// glibc's default raises its mmap threshold each time a large block is freed, so later large
// temporaries (hash tables, row lists) come from heaps that keep their pages after free: a hash
// join under a 150 MB limit then peaks 60 MB higher. A fixed trim threshold turns that off and
// returns freed heap tops promptly, at no measurable cost to the workflow. A user's own
// MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_ is left alone.
void ConfigureAllocator() {
#ifdef __GLIBC__
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr && std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) {
      mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
    }
  });
#endif
}
}  // namespace

SpillStore::SpillStore(const MemoryOptions& options, EventStream* events)
    : options_(options), pool_(options.pool ? options.pool : memory::DefaultMemoryPool()), events_(events) {
  ConfigureAllocator();
  RemoveOrphanSpillDirectories(SpillBase(options));
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
  if (memory_in_use() > spill_bytes_) SpillDownTo(spill_bytes_);
  if (memory_bytes() > limit_) SpillDownTo(limit_, /*include_held=*/true);
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
  if (memory_in_use() > spill_bytes_) SpillDownTo(spill_bytes_);
  return value;
}

int64_t SpillStore::SpillDownTo(int64_t target, bool include_held) {
  const int64_t before = memory_bytes();
  while ((include_held ? memory_bytes() : memory_in_use()) > target) {
    if (!SpillOne(include_held)) break;
  }
  return before - memory_bytes();
}

namespace {
// The store whose task this thread runs, and what that task may still allocate from its
// admission.
thread_local SpillStore* running_store = nullptr;
thread_local int64_t admitted_here = 0;
// Freed heap memory worth a malloc_trim (which walks every arena).
constexpr int64_t kTrimMinimumBytes = int64_t(64) << 20;
}  // namespace

SpillStore::RunningTask::RunningTask(SpillStore& store) : store_(store), outer_(running_store != &store) {
  if (!outer_) return;
  running_store = &store;
  store_.running_tasks_.fetch_add(1);
}

void SpillStore::RunningTask::Admit(int64_t bytes) {
  if (!outer_ || bytes <= 0) return;
  store_.running_tasks_.fetch_sub(1);  // waits as an arriving task
  store_.WaitForRoom(bytes, Waiter::kArrivingTask);
  store_.running_tasks_.fetch_add(1);
  store_.admitted_.fetch_add(bytes);
  admitted_here += bytes;
}

SpillStore::RunningTask::~RunningTask() {
  if (!outer_) return;
  store_.admitted_.fetch_sub(admitted_here);
  admitted_here = 0;
  running_store = nullptr;
  store_.running_tasks_.fetch_sub(1);
}

void SpillStore::Reserve(int64_t bytes) {
  if (running_store == this && admitted_here > 0) {
    // Allocated as admitted: it moves from the admission into the pool's count.
    const int64_t drawn = std::min(bytes, admitted_here);
    admitted_here -= drawn;
    admitted_.fetch_sub(drawn);
  }
  WaitForRoom(bytes, running_store == this ? Waiter::kRunningTask : Waiter::kNotATask);
}

void SpillStore::WaitForRoom(int64_t bytes, Waiter waiter) {
  if (memory_in_use() + bytes <= spill_bytes_) return;  // the common case
  pool_->ReleaseCachedMappings();
  SpillDownTo(spill_bytes_ - bytes);
  if (memory_in_use() + bytes <= limit_ || waiter == Waiter::kNotATask) return;
  // Other tasks' working memory comes back when they finish: wait for it, as long as one of
  // them is not itself waiting. The last task to wait goes ahead, so work always progresses.
  const int arriving = waiter == Waiter::kArrivingTask ? 1 : 0;  // not counted as running yet
  waiting_tasks_.fetch_add(1);
  while (memory_in_use() + bytes > limit_ && waiting_tasks_.load() < running_tasks_.load() + arriving) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    SpillDownTo(spill_bytes_ - bytes);  // finished tasks may have left spillable results
  }
  waiting_tasks_.fetch_sub(1);
}

void SpillStore::TrimIfMuchFreed() {
  const int64_t peak = pool_->TakeRecentPeak();
  if (peak - pool_->bytes_allocated() < kTrimMinimumBytes) return;
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

bool SpillStore::SpillOne(bool include_held) {
  StoredValuePtr victim;
  graph::ValuePtr value;
  std::string path;
  {
    std::lock_guard lock(mutex_);
    // The least recently used value that spilling frees now; failing that, if allowed, one a
    // running task or the caller also holds (its memory then goes when they let go of it).
    for (const bool held_elsewhere : {false, true}) {
      if (held_elsewhere && !include_held) break;
      for (auto it = lru_.rbegin(); it != lru_.rend() && !victim; ++it) {
        StoredValue* candidate = *it;
        if ((candidate->value_.use_count() > 1) != held_elsewhere) continue;
        victim = candidate->weak_from_this().lock();  // null when it is being destroyed
        if (!victim) continue;
        lru_.erase(candidate->lru_position_);
        candidate->in_lru_ = false;
      }
      if (victim) break;
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
        const std::string base = SpillBase(options_);
        std::filesystem::create_directories(base);
        std::string pattern = base + "/" + std::string(kSpillPrefix) + std::to_string(getpid()) + "-XXXXXX";
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
