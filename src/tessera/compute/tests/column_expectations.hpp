// Assertions and generators shared by the elementwise kernel tests: compare a result with an
// expected column (printing both on mismatch), read values back as optionals, and build random
// inputs as slices of larger columns so that offset bugs in values and bitmaps show up.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/table/column_builder.hpp"
#include "tessera/table/table.hpp"

namespace tessera::compute::testing {

/// "[1, <NA>, 3]" with the column's type, as pandas would print the values.
inline std::string Describe(const Column& column) {
  std::string text = column.type().ToString() + " [";
  for (int64_t i = 0; i < column.length(); ++i) {
    if (i > 0) text += ", ";
    if (i == 40) {
      text += "...";
      break;
    }
    text += FormatValue(column, i);
  }
  return text + "]";
}

/// Same type, length, nulls and values (NaN equals NaN).
inline ::testing::AssertionResult SameColumn(const Column& actual, const Column& expected) {
  if (ColumnsEqual(actual, expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  actual:   " << Describe(actual)
                                       << "\n  expected: " << Describe(expected);
}

#define EXPECT_COLUMN_EQ(actual, expected) \
  EXPECT_TRUE(::tessera::compute::testing::SameColumn(actual, expected))

/// Values of a fixed-width column, nullopt where null.
template <typename T>
std::vector<std::optional<T>> ValuesOf(const Column& column) {
  std::vector<std::optional<T>> values;
  for (int64_t i = 0; i < column.length(); ++i) {
    values.push_back(column.IsValid(i) ? std::optional<T>(column.values<T>()[i]) : std::nullopt);
  }
  return values;
}

/// Values of a string column, nullopt where null.
inline std::vector<std::optional<std::string>> StringsOf(const Column& column) {
  std::vector<std::optional<std::string>> values;
  for (int64_t i = 0; i < column.length(); ++i) {
    values.push_back(column.IsValid(i) ? std::optional<std::string>(std::string(column.GetString(i)))
                                       : std::nullopt);
  }
  return values;
}

/// Column from optionals of any fixed-width storage type.
template <typename T>
ColumnPtr ColumnOf(DataType type, const std::vector<std::optional<T>>& values) {
  FixedWidthBuilder<T> builder(type, int64_t(values.size()));
  for (const auto& value : values) builder.AppendOptional(value);
  return builder.Finish();
}

/// Rows [offset, offset + length) of a column built from `prefix` + `values` + one extra row, so
/// kernels see a non-zero offset and a bitmap that does not start at bit 0.
template <typename T>
ColumnPtr SlicedColumnOf(DataType type, const std::vector<std::optional<T>>& values) {
  std::vector<std::optional<T>> padded = {T(1), std::nullopt, T(0)};
  padded.insert(padded.end(), values.begin(), values.end());
  padded.push_back(std::nullopt);
  return ColumnOf<T>(type, padded)->Slice(3, int64_t(values.size()));
}

inline ColumnPtr SlicedStringsOf(const std::vector<std::optional<std::string>>& values) {
  std::vector<std::optional<std::string>> padded = {"pad", std::nullopt, "x"};
  padded.insert(padded.end(), values.begin(), values.end());
  padded.push_back(std::nullopt);
  return MakeStringColumn(padded)->Slice(3, int64_t(values.size()));
}

/// Random values in [low, high] with about `null_fraction` nulls.
template <typename T>
std::vector<std::optional<T>> RandomValues(std::mt19937_64& rng, int64_t length, T low, T high,
                                           double null_fraction) {
  std::bernoulli_distribution is_null(null_fraction);
  std::vector<std::optional<T>> values;
  for (int64_t i = 0; i < length; ++i) {
    if (is_null(rng)) {
      values.push_back(std::nullopt);
    } else if constexpr (std::is_floating_point_v<T>) {
      values.push_back(std::uniform_real_distribution<T>(low, high)(rng));
    } else {
      using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
      values.push_back(T(std::uniform_int_distribution<Wide>(Wide(low), Wide(high))(rng)));
    }
  }
  return values;
}

}  // namespace tessera::compute::testing
