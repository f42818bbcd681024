// Keys name the results of tasks: a collection name plus a partition index, as Dask's
// ("name", i) tuples. Names are interned once into a process-wide table, so a Key is two
// integers: cheap to copy, hash and compare, and building a graph never builds strings per task.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tessera::graph {

/// Interns `name` and returns its id (stable for the life of the process). Thread-safe.
uint32_t InternName(std::string_view name);
/// The text of an interned name. Thread-safe; takes a short lock (not for hot loops).
std::string_view NameOf(uint32_t name_id);

/// The key of one task result: an interned collection name and a partition index (-1 when the
/// key is a plain name, as Dask's string keys).
struct Key {
  uint32_t name = 0;
  int64_t index = -1;

  Key() = default;
  Key(uint32_t name_id, int64_t partition_index) : name(name_id), index(partition_index) {}
  /// Interns `name_text` (a lock per call: intern once, then build keys from the id).
  static Key Make(std::string_view name_text, int64_t partition_index = -1) {
    return Key(InternName(name_text), partition_index);
  }

  std::string_view Name() const { return NameOf(name); }
  /// Dask's key_split: the name without a trailing "-<hex token>" ("add-3f2a" -> "add"); used
  /// to group tasks in progress bars and task streams.
  std::string_view Prefix() const;
  /// "('name', 3)" or "'name'", as Dask prints keys in errors.
  std::string ToString() const;

  bool operator==(const Key& other) const { return name == other.name && index == other.index; }
  bool operator!=(const Key& other) const { return !(*this == other); }
  bool operator<(const Key& other) const {
    return name != other.name ? name < other.name : index < other.index;
  }
};

/// Well-mixed 64-bit hash of a key.
inline uint64_t HashKey(const Key& key) {
  uint64_t h = (uint64_t(key.name) << 40) ^ uint64_t(key.index);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

struct KeyHasher {
  size_t operator()(const Key& key) const { return size_t(HashKey(key)); }
};

}  // namespace tessera::graph

template <>
struct std::hash<tessera::graph::Key> {
  size_t operator()(const tessera::graph::Key& key) const { return size_t(tessera::graph::HashKey(key)); }
};
