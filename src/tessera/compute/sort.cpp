// Stable sort permutations. Fixed-width keys are mapped to order-preserving unsigned integers
// (sign bit flipped for signed values, the IEEE trick for floats, complemented for descending),
// shifted down by their minimum and LSD radix sorted on as many digits as the value range
// needs; digits where every key agrees are skipped. Strings use std::stable_sort on row
// positions. Nulls and NaN are set aside first and appended (or prepended) in input order.
#include "tessera/compute/sort.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>

#include "tessera/base/error.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

// Row positions are 32-bit inside the sort: half the memory traffic of int64, and a partition
// (tens of millions of rows) never comes near the limit.
using Row = uint32_t;

constexpr int kDigitBits = 8;
constexpr int kRadix = 1 << kDigitBits;
// Below this many rows a comparison sort beats the fixed cost of the radix histograms.
constexpr size_t kSmallSort = 256;

// Stable LSD radix sort of `rows` by `keys` (same length), looking at the low
// `significant_bits` bits of each key. `keys` is clobbered.
template <typename K>
void RadixSortRows(std::vector<K>& keys, std::vector<Row>& rows, int significant_bits) {
  const size_t n = keys.size();
  if (n < 2 || significant_bits == 0) return;
  if (n <= kSmallSort) {
    std::vector<std::pair<K, Row>> pairs(n);
    for (size_t i = 0; i < n; ++i) pairs[i] = {keys[i], rows[i]};
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < n; ++i) rows[i] = pairs[i].second;
    return;
  }
  const int num_digits = (significant_bits + kDigitBits - 1) / kDigitBits;
  // One pass counts every digit at once.
  std::vector<uint32_t> counts(size_t(num_digits) * kRadix, 0);
  for (size_t i = 0; i < n; ++i) {
    K key = keys[i];
    for (int d = 0; d < num_digits; ++d) {
      ++counts[size_t(d) * kRadix + (key & (kRadix - 1))];
      key = K(key >> kDigitBits);
    }
  }
  std::vector<int> digits;
  for (int d = 0; d < num_digits; ++d) {
    const size_t first_bucket = (keys[0] >> (d * kDigitBits)) & (kRadix - 1);
    if (counts[size_t(d) * kRadix + first_bucket] != n) digits.push_back(d);
  }
  if (digits.empty()) return;

  std::vector<K> key_scratch(digits.size() > 1 ? n : 0);
  std::vector<Row> row_scratch(n);
  K* source_keys = keys.data();
  K* target_keys = key_scratch.data();
  Row* source_rows = rows.data();
  Row* target_rows = row_scratch.data();
  uint32_t offsets[kRadix];
  for (size_t pass = 0; pass < digits.size(); ++pass) {
    const int d = digits[pass];
    const uint32_t* digit_counts = &counts[size_t(d) * kRadix];
    uint32_t running = 0;
    for (int b = 0; b < kRadix; ++b) {
      offsets[b] = running;
      running += digit_counts[b];
    }
    const int shift = d * kDigitBits;
    if (pass + 1 == digits.size()) {
      // The keys are not read again after the last pass, so only the rows move.
      for (size_t i = 0; i < n; ++i) {
        const uint32_t position = offsets[(source_keys[i] >> shift) & (kRadix - 1)]++;
        target_rows[position] = source_rows[i];
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        const K key = source_keys[i];
        const uint32_t position = offsets[(key >> shift) & (kRadix - 1)]++;
        target_keys[position] = key;
        target_rows[position] = source_rows[i];
      }
      std::swap(source_keys, target_keys);
    }
    std::swap(source_rows, target_rows);
  }
  if (source_rows != rows.data()) rows.swap(row_scratch);
}

// Order-preserving map of a value to uint64: unsigned ints as they are, signed ints with the
// sign bit flipped, floats (compared as double, -0.0 folded into 0.0) negative-complemented.
template <typename T>
inline uint64_t OrderedBits(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    const uint64_t bits = std::bit_cast<uint64_t>(double(value) + 0.0);
    return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  } else if constexpr (std::is_signed_v<T>) {
    return uint64_t(int64_t(value)) ^ (uint64_t{1} << 63);
  } else {
    return uint64_t(value);
  }
}

// Puts the null rows before or after the sorted valid rows.
void Assemble(std::vector<Row>&& sorted, std::vector<Row>&& null_rows, NullPlacement nulls,
              std::vector<Row>* order) {
  if (null_rows.empty()) {
    *order = std::move(sorted);
    return;
  }
  order->clear();
  if (nulls == NullPlacement::kFirst) {
    order->insert(order->end(), null_rows.begin(), null_rows.end());
    order->insert(order->end(), sorted.begin(), sorted.end());
  } else {
    order->insert(order->end(), sorted.begin(), sorted.end());
    order->insert(order->end(), null_rows.begin(), null_rows.end());
  }
}

template <typename K, typename T>
void RadixSortByValue(const T* values, uint64_t flip, uint64_t min_key, uint64_t range,
                      std::vector<Row>& rows) {
  std::vector<K> keys(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    keys[i] = K((OrderedBits(values[rows[i]]) ^ flip) - min_key);
  }
  const int significant_bits = range == 0 ? 0 : 64 - std::countl_zero(range);
  RadixSortRows(keys, rows, significant_bits);
}

template <typename T>
void SortFixedWidthKey(const Column& column, bool ascending, NullPlacement nulls,
                       std::vector<Row>* order) {
  constexpr bool kFloat = std::is_floating_point_v<T>;
  const T* values = column.values<T>();
  const bool may_have_nulls = kFloat || column.has_nulls();
  auto is_null = [&](int64_t row) {
    if constexpr (kFloat) {
      if (values[row] != values[row]) return true;
    }
    return column.IsNull(row);
  };

  std::vector<Row> rows;
  std::vector<Row> null_rows;
  if (may_have_nulls) {
    rows.reserve(order->size());
    for (const Row row : *order) (is_null(row) ? null_rows : rows).push_back(row);
  } else {
    rows = std::move(*order);
  }

  // The key range decides the key width and the number of radix digits. Min and max do not
  // depend on the order, so they come from one sequential pass over the column.
  const uint64_t flip = ascending ? 0 : ~uint64_t{0};
  uint64_t min_key = std::numeric_limits<uint64_t>::max();
  uint64_t max_key = 0;
  const int64_t length = column.length();
  if (!may_have_nulls) {
    for (int64_t i = 0; i < length; ++i) {
      const uint64_t key = OrderedBits(values[i]) ^ flip;
      min_key = std::min(min_key, key);
      max_key = std::max(max_key, key);
    }
  } else {
    for (int64_t i = 0; i < length; ++i) {
      if (is_null(i)) continue;
      const uint64_t key = OrderedBits(values[i]) ^ flip;
      min_key = std::min(min_key, key);
      max_key = std::max(max_key, key);
    }
  }
  if (!rows.empty()) {
    const uint64_t range = max_key - min_key;
    if (range <= std::numeric_limits<uint32_t>::max()) {
      RadixSortByValue<uint32_t>(values, flip, min_key, range, rows);
    } else {
      RadixSortByValue<uint64_t>(values, flip, min_key, range, rows);
    }
  }
  Assemble(std::move(rows), std::move(null_rows), nulls, order);
}

void SortStringKey(const Column& column, bool ascending, NullPlacement nulls,
                   std::vector<Row>* order) {
  std::vector<Row> rows;
  std::vector<Row> null_rows;
  if (column.has_nulls()) {
    rows.reserve(order->size());
    for (const Row row : *order) (column.IsNull(row) ? null_rows : rows).push_back(row);
  } else {
    rows = std::move(*order);
  }
  const int64_t* offsets = column.string_offsets();
  const char* data = column.string_data();
  auto value = [offsets, data](Row row) {
    return std::string_view(data + offsets[row], size_t(offsets[row + 1] - offsets[row]));
  };
  if (ascending) {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](Row a, Row b) { return value(a) < value(b); });
  } else {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](Row a, Row b) { return value(b) < value(a); });
  }
  Assemble(std::move(rows), std::move(null_rows), nulls, order);
}

// Stably re-sorts `order` by one key column.
void SortByKey(const Column& column, bool ascending, NullPlacement nulls,
               std::vector<Row>* order) {
  if (column.type().id() == TypeId::kString) {
    SortStringKey(column, ascending, nulls, order);
    return;
  }
  VisitFixedWidth(column.type(), [&](auto tag) {
    SortFixedWidthKey<decltype(tag)>(column, ascending, nulls, order);
  });
}

ColumnPtr SortColumns(const std::vector<const Column*>& columns,
                      const std::vector<bool>& ascending, NullPlacement nulls) {
  if (columns.empty()) {
    throw InvalidArgument("sort: no sort keys given; name at least one column to sort by");
  }
  if (!ascending.empty() && ascending.size() != columns.size()) {
    throw InvalidArgument("sort: got " + std::to_string(ascending.size()) +
                          " ascending flags for " + std::to_string(columns.size()) +
                          " keys; pass one flag per key (or none for all ascending)");
  }
  const int64_t num_rows = columns[0]->length();
  for (const Column* column : columns) {
    if (column->length() != num_rows) {
      throw InvalidArgument("sort: key columns have different lengths (" +
                            std::to_string(num_rows) + " and " +
                            std::to_string(column->length()) + ")");
    }
  }
  if (uint64_t(num_rows) > std::numeric_limits<Row>::max()) {
    throw NotImplemented("sort: a partition of " + std::to_string(num_rows) +
                         " rows is too large to sort at once; split it into smaller partitions");
  }
  std::vector<Row> order(static_cast<size_t>(num_rows));
  std::iota(order.begin(), order.end(), Row{0});
  for (size_t k = columns.size(); k-- > 0;) {
    SortByKey(*columns[k], ascending.empty() || ascending[k], nulls, &order);
  }
  FixedWidthBuilder<int64_t> builder(types::Int64(), num_rows);
  int64_t* out = builder.mutable_values();
  for (int64_t i = 0; i < num_rows; ++i) out[i] = int64_t(order[size_t(i)]);
  builder.SetLength(num_rows);
  return builder.Finish();
}

}  // namespace

ColumnPtr SortIndices(const Column& column, bool ascending, NullPlacement nulls) {
  return SortColumns({&column}, {ascending}, nulls);
}

ColumnPtr SortIndices(const std::vector<ColumnPtr>& columns, const std::vector<bool>& ascending,
                      NullPlacement nulls) {
  std::vector<const Column*> keys;
  for (const auto& column : columns) keys.push_back(column.get());
  return SortColumns(keys, ascending, nulls);
}

ColumnPtr SortIndices(const Table& table, const std::vector<SortKey>& keys, NullPlacement nulls) {
  std::vector<const Column*> columns;
  std::vector<bool> ascending;
  for (const auto& key : keys) {
    columns.push_back(table.column(key.name).get());
    ascending.push_back(key.ascending);
  }
  return SortColumns(columns, ascending, nulls);
}

TablePtr SortTable(const Table& table, const std::vector<SortKey>& keys, NullPlacement nulls) {
  return Take(table, *SortIndices(table, keys, nulls));
}

}  // namespace tessera::compute
