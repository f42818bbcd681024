// Text rendering of values and tables the way pandas prints them.
#include <charconv>
#include <cmath>
#include <sstream>

#include "tessera/base/civil_time.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

namespace {

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  // Shortest text that round-trips, then at most 6 decimals as pandas' display does.
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  std::string shortest(text, end);
  if (shortest.find('e') == std::string::npos) {
    const auto dot = shortest.find('.');
    if (dot == std::string::npos) return shortest + ".0";
    if (shortest.size() - dot - 1 > 6) {
      std::snprintf(text, sizeof text, "%.6f", value);
      return text;
    }
    return shortest;
  }
  std::snprintf(text, sizeof text, "%.6e", value);
  return text;
}

}  // namespace

std::string FormatValue(const Column& column, int64_t i) {
  const DataType type = column.type();
  if (column.IsNull(i)) {
    switch (type.id()) {
      case TypeId::kFloat32:
      case TypeId::kFloat64: return "NaN";
      case TypeId::kTimestamp:
      case TypeId::kDuration:
      case TypeId::kDate: return "NaT";
      case TypeId::kString: return "None";
      default: return "<NA>";
    }
  }
  switch (type.id()) {
    case TypeId::kBool: return column.values<uint8_t>()[i] ? "True" : "False";
    case TypeId::kString: return std::string(column.GetString(i));
    case TypeId::kCategorical:
      return std::string(column.dictionary()->GetString(column.values<int32_t>()[i]));
    case TypeId::kTimestamp: return civil::FormatTimestampTicks(column.values<int64_t>()[i], TicksPerSecond(type.unit()));
    case TypeId::kDuration: return civil::FormatDurationTicks(column.values<int64_t>()[i], TicksPerSecond(type.unit()));
    case TypeId::kDate: return civil::FormatDate(column.values<int32_t>()[i]);
    case TypeId::kFloat32: return FormatDouble(column.values<float>()[i]);
    case TypeId::kFloat64: return FormatDouble(column.values<double>()[i]);
    default:
      return VisitFixedWidth(type, [&](auto tag) {
        using T = decltype(tag);
        return std::to_string(column.values<T>()[i]);
      });
  }
}

std::string Table::ToString(int64_t max_rows) const {
  std::vector<int64_t> rows;
  const bool truncated = num_rows_ > max_rows;
  if (truncated) {
    for (int64_t i = 0; i < max_rows / 2; ++i) rows.push_back(i);
    rows.push_back(-1);  // the "..." row
    for (int64_t i = num_rows_ - max_rows / 2; i < num_rows_; ++i) rows.push_back(i);
  } else {
    for (int64_t i = 0; i < num_rows_; ++i) rows.push_back(i);
  }
  // cells[c][r]: column 0 is the index.
  std::vector<std::vector<std::string>> cells(columns_.size() + 1);
  std::vector<std::string> headers{index_ ? index_name_ : ""};
  for (const auto& field : schema_.fields()) headers.push_back(field.name);
  for (int64_t r : rows) {
    if (r < 0) {
      cells[0].push_back("..");
      for (size_t c = 1; c < cells.size(); ++c) cells[c].push_back("...");
      continue;
    }
    cells[0].push_back(index_ ? FormatValue(*index_, r) : std::to_string(r));
    for (size_t c = 0; c < columns_.size(); ++c) cells[c + 1].push_back(FormatValue(*columns_[c], r));
  }
  std::vector<size_t> widths;
  for (size_t c = 0; c < cells.size(); ++c) {
    size_t width = headers[c].size();
    for (const auto& cell : cells[c]) width = std::max(width, cell.size());
    widths.push_back(width);
  }
  std::ostringstream out;
  auto pad = [&](const std::string& text, size_t width, bool left) {
    const std::string space(width - std::min(width, text.size()), ' ');
    return left ? text + space : space + text;
  };
  for (size_t c = 0; c < cells.size(); ++c) {
    out << (c ? "  " : "") << pad(headers[c], widths[c], c == 0);
  }
  out << "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < cells.size(); ++c) out << (c ? "  " : "") << pad(cells[c][r], widths[c], c == 0);
    out << "\n";
  }
  if (truncated || num_rows_ == 0) {
    out << "\n[" << num_rows_ << " rows x " << columns_.size() << " columns]\n";
  }
  return out.str();
}

}  // namespace tessera
