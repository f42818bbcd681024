// Column and row hashing. Values are first mapped to a canonical 64-bit word (widened integer,
// canonical double bits) or byte string, then hashed with xxHash3 (tessera/base/hash.hpp).
#include "tessera/compute/hash.hpp"

#include <type_traits>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

template <typename T>
inline uint64_t HashValue(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    return HashInt64(CanonicalDoubleBits(double(value)));
  } else if constexpr (std::is_signed_v<T>) {
    return HashInt64(uint64_t(int64_t(value)));
  } else {
    return HashInt64(uint64_t(value));
  }
}

inline void Store(uint64_t* hashes, int64_t i, uint64_t hash, bool combine) {
  hashes[i] = combine ? HashCombine(hashes[i], hash) : hash;
}

// `hash_of(i)` hashes row i; the combine flag and the null check are hoisted out of the loop.
template <typename HashOf>
void HashRowsWith(const Column& column, uint64_t* hashes, bool combine, HashOf hash_of) {
  const int64_t length = column.length();
  if (!column.has_nulls()) {
    if (combine) {
      for (int64_t i = 0; i < length; ++i) hashes[i] = HashCombine(hashes[i], hash_of(i));
    } else {
      for (int64_t i = 0; i < length; ++i) hashes[i] = hash_of(i);
    }
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    Store(hashes, i, column.IsValid(i) ? hash_of(i) : kNullHash, combine);
  }
}

void HashCategorical(const Column& column, uint64_t* hashes, bool combine) {
  // Hash each category once; rows then look their hash up by code.
  const Column& dictionary = *column.dictionary();
  std::vector<uint64_t> category_hashes(static_cast<size_t>(dictionary.length()));
  for (int64_t c = 0; c < dictionary.length(); ++c) {
    const std::string_view category = dictionary.GetString(c);
    category_hashes[size_t(c)] = HashBytes(category.data(), category.size());
  }
  const int32_t* codes = column.values<int32_t>();
  const uint64_t* lookup = category_hashes.data();
  HashRowsWith(column, hashes, combine, [&](int64_t i) { return lookup[codes[i]]; });
}

}  // namespace

void HashColumnInto(const Column& column, uint64_t* hashes, bool combine) {
  switch (column.type().id()) {
    case TypeId::kString:
      HashRowsWith(column, hashes, combine, [&](int64_t i) {
        const std::string_view value = column.GetString(i);
        return HashBytes(value.data(), value.size());
      });
      return;
    case TypeId::kCategorical: HashCategorical(column, hashes, combine); return;
    default:
      VisitFixedWidth(column.type(), [&](auto tag) {
        using T = decltype(tag);
        const T* values = column.values<T>();
        HashRowsWith(column, hashes, combine, [values](int64_t i) { return HashValue(values[i]); });
      });
  }
}

ColumnPtr HashColumn(const Column& column) {
  FixedWidthBuilder<uint64_t> builder(types::UInt64(), column.length());
  HashColumnInto(column, builder.mutable_values(), false);
  builder.SetLength(column.length());
  return builder.Finish();
}

ColumnPtr HashRows(const Table& table, const std::vector<std::string>& keys) {
  if (keys.empty()) {
    throw InvalidArgument("hash rows: no key columns given; name at least one column to hash");
  }
  FixedWidthBuilder<uint64_t> builder(types::UInt64(), table.num_rows());
  for (size_t k = 0; k < keys.size(); ++k) {
    HashColumnInto(*table.column(keys[k]), builder.mutable_values(), k > 0);
  }
  builder.SetLength(table.num_rows());
  return builder.Finish();
}

}  // namespace tessera::compute
