// Small helpers shared by the node families' source files (not part of the expr API).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/expr/column_expr.hpp"
#include "tessera/table/table.hpp"

namespace tessera::expr::internal {

inline uint64_t HashNames(const std::vector<std::string>& names, uint64_t seed) {
  for (const auto& name : names) seed = HashText(name, seed) + 1;
  return seed;
}

inline std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

inline TablePtr EmptyLike(const Table& table) { return table.Slice(0, 0); }

}  // namespace tessera::expr::internal
