// Stable sort permutations. Fixed-width keys are mapped to order-preserving unsigned integers
// (sign bit flipped for signed values, the IEEE trick for floats, complemented for descending),
// shifted down by their minimum and LSD radix sorted on as many digits as the value range
// needs; digits where every key agrees are skipped. Strings use std::stable_sort on row
// positions. Nulls and NaN are set aside first and appended (or prepended) in input order.
#include "tessera/compute/sort.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
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
// Up to this many rows insertion sort beats the fixed cost of the radix histograms.
constexpr size_t kInsertionSort = 48;
// Above this many rows the top digit is split first (MSD), so the LSD passes on each of the 256
// buckets run in cache instead of streaming the whole array through memory once per digit.
// (Wider top splits measured slower: a 2048-way scatter from memory thrashes the TLB.)
constexpr size_t kSplitTopDigit = size_t{1} << 16;

template <typename K>
void InsertionSortRows(K* keys, Row* rows, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    const K key = keys[i];
    const Row row = rows[i];
    size_t j = i;
    for (; j > 0 && keys[j - 1] > key; --j) {  // strict: equal keys keep their order
      keys[j] = keys[j - 1];
      rows[j] = rows[j - 1];
    }
    keys[j] = key;
    rows[j] = row;
  }
}

template <typename K>
void RadixSortRows(K* keys, Row* rows, size_t n, int bits, K* key_scratch, Row* row_scratch);

// Counts the n keys key_at(i) per value of the digit at `shift`; false when they all fall in
// one bucket (the split would not help).
template <typename K, typename KeyAt>
bool CountTopBuckets(size_t n, int shift, const KeyAt& key_at, uint32_t* counts) {
  const K mask = K(kRadix - 1);
  std::fill(counts, counts + kRadix, 0);
  for (size_t i = 0; i < n; ++i) ++counts[(key_at(i) >> shift) & mask];
  return counts[(key_at(0) >> shift) & mask] != n;
}

// Stable scatter of (key_at(i), row_at(i)) into key_out / row_out, bucket by bucket.
template <typename K, typename KeyAt, typename RowAt>
void ScatterTopBuckets(size_t n, int shift, const KeyAt& key_at, const RowAt& row_at,
                       const uint32_t* counts, K* key_out, Row* row_out) {
  const K mask = K(kRadix - 1);
  uint32_t offsets[kRadix];
  uint32_t running = 0;
  for (int b = 0; b < kRadix; ++b) {
    offsets[b] = running;
    running += counts[b];
  }
  for (size_t i = 0; i < n; ++i) {
    const K key = key_at(i);
    const uint32_t position = offsets[(key >> shift) & mask]++;
    key_out[position] = key;
    row_out[position] = row_at(i);
  }
}

// Sorts each bucket of (keys, rows) on its low `shift` bits and copies its rows to
// sorted_rows. key_scratch_at(start) gives key scratch for the bucket starting at `start`;
// sorted_rows + start serves as its row scratch until the result is copied there.
template <typename K, typename KeyScratchAt>
void SortBuckets(const uint32_t* counts, int shift, K* keys, Row* rows,
                 const KeyScratchAt& key_scratch_at, Row* sorted_rows) {
  size_t start = 0;
  for (int b = 0; b < kRadix; ++b) {
    const size_t count = counts[b];
    if (count == 0) continue;
    RadixSortRows(keys + start, rows + start, count, shift, key_scratch_at(start),
                  sorted_rows + start);
    std::memcpy(sorted_rows + start, rows + start, count * sizeof(Row));
    start += count;
  }
}

// Stable radix sort of rows[0..n) by keys[0..n), looking at the low `bits` bits of each key (the
// higher bits are zero or equal for all keys). The result is left in `rows`; `keys` and the
// scratch arrays (n entries each) are clobbered.
template <typename K>
void RadixSortRows(K* keys, Row* rows, size_t n, int bits, K* key_scratch, Row* row_scratch) {
  if (n < 2 || bits <= 0) return;
  if (n <= kInsertionSort) {
    InsertionSortRows(keys, rows, n);
    return;
  }
  if (n > kSplitTopDigit && bits > kDigitBits) {
    // MSD step, so that the LSD passes below run on cache-sized buckets.
    const int shift = bits - kDigitBits;
    uint32_t counts[kRadix];
    auto key_at = [keys](size_t i) { return keys[i]; };
    if (!CountTopBuckets<K>(n, shift, key_at, counts)) {
      RadixSortRows(keys, rows, n, shift, key_scratch, row_scratch);
      return;
    }
    ScatterTopBuckets(
        n, shift, key_at, [rows](size_t i) { return rows[i]; }, counts, key_scratch, row_scratch);
    // The buckets now live in the scratch arrays; the input arrays serve as their scratch.
    SortBuckets(
        counts, shift, key_scratch, row_scratch, [keys](size_t start) { return keys + start; },
        rows);
    return;
  }

  // LSD: one pass counts every digit at once, digits where all keys agree are skipped.
  const int num_digits = (bits + kDigitBits - 1) / kDigitBits;
  uint32_t counts[sizeof(K) * 8 / kDigitBits][kRadix] = {};
  for (size_t i = 0; i < n; ++i) {
    K key = keys[i];
    for (int d = 0; d < num_digits; ++d) {
      ++counts[d][key & (kRadix - 1)];
      key = K(key >> kDigitBits);
    }
  }
  int digits[sizeof(K) * 8 / kDigitBits];
  int num_passes = 0;
  for (int d = 0; d < num_digits; ++d) {
    if (counts[d][(keys[0] >> (d * kDigitBits)) & (kRadix - 1)] != n) digits[num_passes++] = d;
  }
  K* source_keys = keys;
  K* target_keys = key_scratch;
  Row* source_rows = rows;
  Row* target_rows = row_scratch;
  uint32_t offsets[kRadix];
  for (int pass = 0; pass < num_passes; ++pass) {
    const int d = digits[pass];
    uint32_t running = 0;
    for (int b = 0; b < kRadix; ++b) {
      offsets[b] = running;
      running += counts[d][b];
    }
    const int shift = d * kDigitBits;
    if (pass + 1 == num_passes) {
      // The keys are not read again after the last pass, so only the rows move.
      for (size_t i = 0; i < n; ++i) {
        target_rows[offsets[(source_keys[i] >> shift) & (kRadix - 1)]++] = source_rows[i];
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
  if (source_rows != rows) std::memcpy(rows, source_rows, n * sizeof(Row));
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

// Sorts `rows` (or, when `identity`, the rows 0..n-1, written to `rows`) by value.
template <typename K, typename T>
void RadixSortByValue(const T* values, uint64_t flip, uint64_t min_key, uint64_t range,
                      bool identity, size_t n, std::vector<Row>* rows) {
  const int bits = range == 0 ? 0 : 64 - std::countl_zero(range);
  auto key_of = [=](size_t row) { return K((OrderedBits(values[row]) ^ flip) - min_key); };
  if (identity) rows->resize(n);
  if (identity && n > kSplitTopDigit && bits > kDigitBits) {
    // Rows in input order: the MSD split reads the values directly, so no key array is built.
    const int shift = bits - kDigitBits;
    uint32_t counts[kRadix];
    if (CountTopBuckets<K>(n, shift, key_of, counts)) {
      auto key_scratch = std::make_unique_for_overwrite<K[]>(n);
      auto row_scratch = std::make_unique_for_overwrite<Row[]>(n);
      ScatterTopBuckets(
          n, shift, key_of, [](size_t i) { return Row(i); }, counts, key_scratch.get(),
          row_scratch.get());
      const size_t largest = *std::max_element(counts, counts + kRadix);
      auto bucket_scratch = std::make_unique_for_overwrite<K[]>(largest);
      SortBuckets(
          counts, shift, key_scratch.get(), row_scratch.get(),
          [&](size_t) { return bucket_scratch.get(); }, rows->data());
      return;
    }
  }
  if (identity) std::iota(rows->begin(), rows->end(), Row{0});
  if (bits == 0 || n < 2) return;
  // Scratch is written before it is read, so it is left uninitialised.
  auto keys = std::make_unique_for_overwrite<K[]>(n);
  for (size_t i = 0; i < n; ++i) keys[i] = key_of((*rows)[i]);
  auto key_scratch = std::make_unique_for_overwrite<K[]>(n);
  auto row_scratch = std::make_unique_for_overwrite<Row[]>(n);
  RadixSortRows(keys.get(), rows->data(), n, bits, key_scratch.get(), row_scratch.get());
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

  // An empty order stands for the identity (the first key sorted), which lets the radix sort
  // read the values in place.
  const size_t length = size_t(column.length());
  bool identity = order->empty();
  std::vector<Row> rows;
  std::vector<Row> null_rows;
  if (may_have_nulls) {
    rows.reserve(length);
    if (identity) {
      for (size_t row = 0; row < length; ++row)
        (is_null(row) ? null_rows : rows).push_back(Row(row));
    } else {
      for (const Row row : *order) (is_null(row) ? null_rows : rows).push_back(row);
    }
    identity = false;
  } else if (!identity) {
    rows = std::move(*order);
  }

  // The key range decides the key width and the number of radix digits. Min and max do not
  // depend on the order, so they come from one sequential pass over the column.
  const uint64_t flip = ascending ? 0 : ~uint64_t{0};
  uint64_t min_key = std::numeric_limits<uint64_t>::max();
  uint64_t max_key = 0;
  if (!may_have_nulls) {
    for (size_t i = 0; i < length; ++i) {
      const uint64_t key = OrderedBits(values[i]) ^ flip;
      min_key = std::min(min_key, key);
      max_key = std::max(max_key, key);
    }
  } else {
    for (size_t i = 0; i < length; ++i) {
      if (is_null(i)) continue;
      const uint64_t key = OrderedBits(values[i]) ^ flip;
      min_key = std::min(min_key, key);
      max_key = std::max(max_key, key);
    }
  }
  const size_t count = identity ? length : rows.size();
  if (count > 0) {
    const uint64_t range = max_key - min_key;
    if (range <= std::numeric_limits<uint32_t>::max()) {
      RadixSortByValue<uint32_t>(values, flip, min_key, range, identity, count, &rows);
    } else {
      RadixSortByValue<uint64_t>(values, flip, min_key, range, identity, count, &rows);
    }
  }
  Assemble(std::move(rows), std::move(null_rows), nulls, order);
}

void SortStringKey(const Column& column, bool ascending, NullPlacement nulls,
                   std::vector<Row>* order) {
  if (order->empty()) {
    order->resize(size_t(column.length()));
    std::iota(order->begin(), order->end(), Row{0});
  }
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
    std::stable_sort(rows.begin(), rows.end(), [&](Row a, Row b) { return value(a) < value(b); });
  } else {
    std::stable_sort(rows.begin(), rows.end(), [&](Row a, Row b) { return value(b) < value(a); });
  }
  Assemble(std::move(rows), std::move(null_rows), nulls, order);
}

// Stably re-sorts `order` (empty = the identity) by one key column.
void SortByKey(const Column& column, bool ascending, NullPlacement nulls, std::vector<Row>* order) {
  if (column.type().id() == TypeId::kString) {
    SortStringKey(column, ascending, nulls, order);
    return;
  }
  VisitFixedWidth(column.type(), [&](auto tag) {
    SortFixedWidthKey<decltype(tag)>(column, ascending, nulls, order);
  });
}

ColumnPtr SortColumns(const std::vector<const Column*>& columns, const std::vector<bool>& ascending,
                      NullPlacement nulls) {
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
                            std::to_string(num_rows) + " and " + std::to_string(column->length()) +
                            ")");
    }
  }
  if (uint64_t(num_rows) > std::numeric_limits<Row>::max()) {
    throw NotImplemented("sort: a partition of " + std::to_string(num_rows) +
                         " rows is too large to sort at once; split it into smaller partitions");
  }
  std::vector<Row> order;  // empty = identity until the first key is sorted
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
