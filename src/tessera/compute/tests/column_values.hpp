// Column contents as vectors of optionals, so relational tests can compare results with
// expected values in one EXPECT_EQ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/table/column.hpp"

namespace tessera::compute::testing {

using OptInts = std::vector<std::optional<int64_t>>;
using OptDoubles = std::vector<std::optional<double>>;
using OptStrings = std::vector<std::optional<std::string>>;

inline OptInts Ints(const Column& column) {
  OptInts out;
  for (int64_t i = 0; i < column.length(); ++i) {
    out.push_back(column.IsValid(i) ? std::optional<int64_t>(column.values<int64_t>()[i]) : std::nullopt);
  }
  return out;
}

inline OptDoubles Doubles(const Column& column) {
  OptDoubles out;
  for (int64_t i = 0; i < column.length(); ++i) {
    out.push_back(column.IsValid(i) ? std::optional<double>(column.values<double>()[i]) : std::nullopt);
  }
  return out;
}

/// Strings, or a categorical's category of each row.
inline OptStrings Strings(const Column& column) {
  OptStrings out;
  for (int64_t i = 0; i < column.length(); ++i) {
    if (column.IsNull(i)) {
      out.push_back(std::nullopt);
    } else if (column.type().id() == TypeId::kCategorical) {
      out.push_back(std::string(column.dictionary()->GetString(column.values<int32_t>()[i])));
    } else {
      out.push_back(std::string(column.GetString(i)));
    }
  }
  return out;
}

}  // namespace tessera::compute::testing
