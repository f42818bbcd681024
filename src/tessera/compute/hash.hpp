// Row hashing for hash partitioning (shuffles), group-by and joins. Equal values hash equally
// in every partition and process: the hash depends on the value only, never on the buffer
// layout, a slice offset or a categorical's dictionary order.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/table/table.hpp"

namespace tessera::compute {

/// Hash of a null value (all nulls hash alike, and apart from every hashed value in practice).
inline constexpr uint64_t kNullHash = 0x5A0C1D2E3F405162ull;

/// The bits of `x` with -0.0 folded into 0.0 and every NaN folded into one quiet NaN, so values
/// that pandas treats as equal keys have equal bits.
inline uint64_t CanonicalDoubleBits(double x) {
  if (x != x) return 0x7FF8000000000000ull;
  return std::bit_cast<uint64_t>(x + 0.0);  // -0.0 + 0.0 == +0.0
}

/// One uint64 hash per row of `column`:
/// - integers of every width, bool, timestamp, duration and date hash their value widened to
///   64 bits (so int32 5 and int64 5 agree);
/// - float32 and float64 hash CanonicalDoubleBits of the value (-0.0 == 0.0, all NaN equal);
/// - strings hash their UTF-8 bytes; categoricals hash their category's string, so a
///   categorical and a string column with the same values agree, whatever the dictionaries;
/// - nulls hash to kNullHash.
ColumnPtr HashColumn(const Column& column);

/// Hash of each row over the named key columns: the first key's HashColumn, folded with each
/// following key through HashCombine. HashRows(t, {"a"}) equals HashColumn(a).
/// Throws KeyError for a missing column and InvalidArgument for an empty key list.
ColumnPtr HashRows(const Table& table, const std::vector<std::string>& keys);

/// Writes column hashes into `hashes` (column.length() entries) or, when `combine` is set,
/// folds them into the hashes already there. The building block of HashRows for callers that
/// keep their own scratch array.
void HashColumnInto(const Column& column, uint64_t* hashes, bool combine);

}  // namespace tessera::compute
