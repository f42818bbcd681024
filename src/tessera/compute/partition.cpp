// Hash and range partitioning. Partition ids are computed per row in a typed loop, then one
// counting sort turns them into a permutation that gathers every column once.
#include "tessera/compute/partition.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>

#include "tessera/base/error.hpp"
#include "tessera/compute/hash.hpp"
#include "tessera/compute/selection.hpp"

namespace tessera::compute {

namespace {

// Boundaries normalised to the domain keys are compared in.
struct Boundaries {
  enum class Kind { kInt, kFloat, kString };
  Kind kind = Kind::kInt;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;

  size_t size() const {
    return kind == Kind::kInt ? ints.size() : kind == Kind::kFloat ? floats.size() : strings.size();
  }
};

// Index of the last boundary <= value, clamped to a valid partition.
template <typename B, typename V>
inline int32_t PartitionOf(const B* bounds, size_t num_bounds, const V& value) {
  const int64_t reached = std::upper_bound(bounds, bounds + num_bounds, value) - bounds;
  return int32_t(std::clamp<int64_t>(reached - 1, 0, int64_t(num_bounds) - 2));
}

bool IsIntegerLike(DataType type) {
  return type.is_integer() || type.id() == TypeId::kBool || type.is_temporal();
}

// Ids for a fixed-width key against int64 or double boundaries.
template <typename T, typename B>
void AssignFixedWidth(const Column& key, const std::vector<B>& bounds, int32_t* ids) {
  const T* values = key.values<T>();
  const int32_t last = int32_t(bounds.size()) - 2;
  for (int64_t i = 0; i < key.length(); ++i) {
    const T value = values[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (value != value) {
        ids[i] = last;
        continue;
      }
    }
    if constexpr (std::is_same_v<T, uint64_t> && std::is_same_v<B, int64_t>) {
      if (value > uint64_t(std::numeric_limits<int64_t>::max())) {
        ids[i] = last;
        continue;
      }
    }
    ids[i] = PartitionOf(bounds.data(), bounds.size(), B(value));
  }
  if (key.has_nulls()) {
    for (int64_t i = 0; i < key.length(); ++i) {
      if (key.IsNull(i)) ids[i] = last;
    }
  }
}

std::vector<int32_t> BoundaryIds(const Column& key, const std::string& key_name,
                                 const Boundaries& boundaries) {
  if (boundaries.size() < 2) {
    throw InvalidArgument("partition by boundaries: got " + std::to_string(boundaries.size()) +
                          " boundaries; n partitions need n + 1 sorted boundaries (divisions)");
  }
  const DataType type = key.type();
  const bool string_key = type.id() == TypeId::kString || type.id() == TypeId::kCategorical;
  if (string_key != (boundaries.kind == Boundaries::Kind::kString)) {
    throw TypeError("partition by boundaries: key column '" + key_name + "' is " + type.ToString() +
                    " but the boundaries are " + (string_key ? "numbers" : "strings") +
                    "; give boundaries of the key's type");
  }
  std::vector<int32_t> ids(static_cast<size_t>(key.length()));
  const int32_t last = int32_t(boundaries.size()) - 2;
  if (string_key) {
    std::vector<std::string_view> bounds(boundaries.strings.begin(), boundaries.strings.end());
    if (type.id() == TypeId::kCategorical) {
      // One lookup per category, then one per row by code.
      const Column& dictionary = *key.dictionary();
      std::vector<int32_t> category_ids(static_cast<size_t>(dictionary.length()));
      for (int64_t c = 0; c < dictionary.length(); ++c) {
        category_ids[size_t(c)] =
            PartitionOf(bounds.data(), bounds.size(), dictionary.GetString(c));
      }
      const int32_t* codes = key.values<int32_t>();
      for (int64_t i = 0; i < key.length(); ++i) {
        ids[size_t(i)] = key.IsValid(i) ? category_ids[size_t(codes[i])] : last;
      }
    } else {
      for (int64_t i = 0; i < key.length(); ++i) {
        ids[size_t(i)] =
            key.IsValid(i) ? PartitionOf(bounds.data(), bounds.size(), key.GetString(i)) : last;
      }
    }
    return ids;
  }
  VisitFixedWidth(type, [&](auto tag) {
    using T = decltype(tag);
    if (boundaries.kind == Boundaries::Kind::kFloat || std::is_floating_point_v<T>) {
      std::vector<double> bounds = boundaries.floats;
      if (boundaries.kind == Boundaries::Kind::kInt) {
        bounds.assign(boundaries.ints.begin(), boundaries.ints.end());
      }
      AssignFixedWidth<T, double>(key, bounds, ids.data());
    } else {
      AssignFixedWidth<T, int64_t>(key, boundaries.ints, ids.data());
    }
  });
  return ids;
}

template <typename V>
void CheckSorted(const std::vector<V>& values) {
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] < values[i - 1]) {
      throw InvalidArgument(
          "partition by boundaries: boundaries must be sorted ascending, but "
          "boundary " +
          std::to_string(i) + " is smaller than the one before");
    }
  }
}

void CheckBoundaries(Boundaries* boundaries) {
  for (const double value : boundaries->floats) {
    if (value != value) {
      throw InvalidArgument(
          "partition by boundaries: a boundary is NaN; boundaries must be "
          "non-null sorted values");
    }
  }
  CheckSorted(boundaries->ints);
  CheckSorted(boundaries->floats);
  CheckSorted(boundaries->strings);
}

std::vector<TablePtr> ByBoundaries(const Table& table, const std::string& key,
                                   Boundaries boundaries) {
  CheckBoundaries(&boundaries);
  const Column& column = *table.column(key);
  const std::vector<int32_t> ids = BoundaryIds(column, key, boundaries);
  return PartitionByIds(table, ids, int(boundaries.size()) - 1);
}

void RejectNull(bool is_null) {
  if (is_null) {
    throw InvalidArgument(
        "partition by boundaries: a boundary is null; boundaries must be "
        "non-null sorted values");
  }
}

}  // namespace

std::vector<TablePtr> PartitionByIds(const Table& table, std::span<const int32_t> ids,
                                     int num_partitions) {
  if (num_partitions < 1) {
    throw InvalidArgument("partition: num_partitions must be at least 1, got " +
                          std::to_string(num_partitions));
  }
  const int64_t num_rows = table.num_rows();
  if (int64_t(ids.size()) != num_rows) {
    throw InvalidArgument("partition: got " + std::to_string(ids.size()) + " partition ids for " +
                          std::to_string(num_rows) + " rows");
  }
  std::vector<int64_t> counts(size_t(num_partitions), 0);
  for (const int32_t id : ids) {
    if (uint32_t(id) >= uint32_t(num_partitions)) {
      throw InvalidArgument("partition: partition id " + std::to_string(id) + " is outside [0, " +
                            std::to_string(num_partitions) + ")");
    }
    ++counts[size_t(id)];
  }
  std::vector<TablePtr> partitions;
  partitions.reserve(size_t(num_partitions));
  // Every row in one partition (already partitioned input): share the input, no gather. The
  // empty pieces hold no buffers of the input (a slice would keep all of it alive, unseen by
  // the memory accounting, for as long as any empty piece waits for its reader).
  const auto full = std::find(counts.begin(), counts.end(), num_rows);
  if (num_rows > 0 && full != counts.end()) {
    const auto shared =
        Table::Make(table.column_names(), table.columns(), table.index(), table.index_name());
    const auto empty = Take(table, std::span<const int64_t>());
    for (int p = 0; p < num_partitions; ++p) {
      partitions.push_back(p == full - counts.begin() ? shared : empty);
    }
    return partitions;
  }
  std::vector<int64_t> cursor(static_cast<size_t>(num_partitions));
  int64_t running = 0;
  for (int p = 0; p < num_partitions; ++p) {
    cursor[size_t(p)] = running;
    running += counts[size_t(p)];
  }
  // Every slot is written by the scatter, so the permutation starts uninitialised.
  auto permutation = std::make_unique_for_overwrite<int64_t[]>(size_t(num_rows));
  for (int64_t i = 0; i < num_rows; ++i) permutation[size_t(cursor[size_t(ids[size_t(i)])]++)] = i;
  // Each piece is gathered into buffers of its own rather than sliced from one gathered
  // table: pieces live, spill and move independently, and one held piece must not keep the
  // memory of all the others alive.
  int64_t start = 0;
  for (int p = 0; p < num_partitions; ++p) {
    const auto rows = std::span<const int64_t>(permutation.get() + start, size_t(counts[size_t(p)]));
    partitions.push_back(Take(table, rows));
    start += counts[size_t(p)];
  }
  return partitions;
}

std::vector<TablePtr> PartitionByHash(const Table& table, const std::vector<std::string>& keys,
                                      int num_partitions) {
  if (num_partitions < 1) {
    throw InvalidArgument("partition by hash: num_partitions must be at least 1, got " +
                          std::to_string(num_partitions));
  }
  const ColumnPtr hashes = HashRows(table, keys);
  const uint64_t* h = hashes->values<uint64_t>();
  const size_t num_rows = size_t(table.num_rows());
  auto ids = std::make_unique_for_overwrite<int32_t[]>(num_rows);
  // Multiply-shift maps the hash onto [0, n) without a division per row.
  const unsigned __int128 n = unsigned(num_partitions);
  for (size_t i = 0; i < num_rows; ++i) ids[i] = int32_t((h[i] * n) >> 64);
  return PartitionByIds(table, std::span<const int32_t>(ids.get(), num_rows), num_partitions);
}

std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<int64_t>& boundaries) {
  Boundaries normalised;
  normalised.ints = boundaries;
  return ByBoundaries(table, key, std::move(normalised));
}

std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<double>& boundaries) {
  Boundaries normalised;
  normalised.kind = Boundaries::Kind::kFloat;
  normalised.floats = boundaries;
  return ByBoundaries(table, key, std::move(normalised));
}

namespace {

Boundaries NormaliseBoundaries(const std::vector<Scalar>& boundaries) {
  Boundaries normalised;
  bool any_string = false, any_float = false;
  for (const Scalar& boundary : boundaries) {
    RejectNull(boundary.is_null());
    any_string |= boundary.type().id() == TypeId::kString;
    any_float |= boundary.type().is_floating();
  }
  if (any_string) {
    normalised.kind = Boundaries::Kind::kString;
    for (const Scalar& boundary : boundaries) {
      if (boundary.type().id() != TypeId::kString) {
        throw TypeError("partition by boundaries: boundaries mix strings and " +
                        boundary.type().ToString() + "; give boundaries of one type");
      }
      normalised.strings.push_back(boundary.as_string());
    }
  } else if (any_float) {
    normalised.kind = Boundaries::Kind::kFloat;
    for (const Scalar& boundary : boundaries) normalised.floats.push_back(boundary.ToDouble());
  } else {
    for (const Scalar& boundary : boundaries) {
      if (boundary.type().id() == TypeId::kUInt64) {
        if (boundary.as_uint64() > uint64_t(std::numeric_limits<int64_t>::max())) {
          throw InvalidArgument("partition by boundaries: uint64 boundary " + boundary.ToString() +
                                " is above the int64 range; give float boundaries instead");
        }
        normalised.ints.push_back(int64_t(boundary.as_uint64()));
      } else if (boundary.type().id() == TypeId::kBool) {
        normalised.ints.push_back(boundary.as_bool() ? 1 : 0);
      } else {
        normalised.ints.push_back(boundary.as_int64());
      }
    }
  }
  return normalised;
}

}  // namespace

std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<Scalar>& boundaries) {
  return ByBoundaries(table, key, NormaliseBoundaries(boundaries));
}

std::vector<int32_t> PartitionIdsByBoundaries(const Table& table, const std::string& key,
                                              const std::vector<Scalar>& boundaries) {
  Boundaries normalised = NormaliseBoundaries(boundaries);
  CheckBoundaries(&normalised);
  return BoundaryIds(*table.column(key), key, normalised);
}

std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const Column& boundaries) {
  Boundaries normalised;
  for (int64_t i = 0; i < boundaries.length(); ++i) RejectNull(boundaries.IsNull(i));
  const DataType type = boundaries.type();
  if (type.id() == TypeId::kString || type.id() == TypeId::kCategorical) {
    normalised.kind = Boundaries::Kind::kString;
    for (int64_t i = 0; i < boundaries.length(); ++i) {
      normalised.strings.emplace_back(
          type.id() == TypeId::kString
              ? boundaries.GetString(i)
              : boundaries.dictionary()->GetString(boundaries.values<int32_t>()[i]));
    }
  } else {
    if (!IsIntegerLike(type) && !type.is_floating()) {
      throw TypeError("partition by boundaries: boundaries of type " + type.ToString() +
                      " are not supported");
    }
    VisitFixedWidth(type, [&](auto tag) {
      using T = decltype(tag);
      const T* values = boundaries.values<T>();
      if constexpr (std::is_floating_point_v<T>) {
        normalised.kind = Boundaries::Kind::kFloat;
        normalised.floats.assign(values, values + boundaries.length());
      } else {
        for (int64_t i = 0; i < boundaries.length(); ++i) {
          if constexpr (std::is_same_v<T, uint64_t>) {
            if (values[i] > uint64_t(std::numeric_limits<int64_t>::max())) {
              throw InvalidArgument("partition by boundaries: uint64 boundary " +
                                    std::to_string(values[i]) +
                                    " is above the int64 range; give float boundaries instead");
            }
          }
          normalised.ints.push_back(int64_t(values[i]));
        }
      }
    });
  }
  return ByBoundaries(table, key, std::move(normalised));
}

}  // namespace tessera::compute
