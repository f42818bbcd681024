#include "tessera/compute/string.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <regex>
#include <string>

#include "tessera/base/error.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

using internal::AllocateValues;
using internal::MutableBuffer;

inline bool IsContinuationByte(char byte) { return (uint8_t(byte) & 0xC0) == 0x80; }

inline int64_t CountCodePoints(const char* begin, const char* end) {
  int64_t count = 0;
  for (const char* p = begin; p < end; ++p) count += !IsContinuationByte(*p);
  return count;
}

// Python's str.strip() whitespace below 0x80.
inline bool IsAsciiSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

void CheckText(const Column& column, const char* kernel) {
  const TypeId id = column.type().id();
  if (id == TypeId::kString || id == TypeId::kCategorical) return;
  throw TypeError(std::string("str.") + kernel + " needs a string column, got " +
                  column.type().ToString() + "; Cast it to string first");
}

// Categoricals: run `kernel` on the categories once and pick each row's result by code.
ColumnPtr ViaCategories(const Column& column, const std::function<ColumnPtr(const Column&)>& kernel) {
  const ColumnPtr per_category = kernel(*column.dictionary());
  const int64_t length = column.length();
  const int32_t* codes = column.values<int32_t>();
  const int64_t num_categories = per_category->length();
  const auto code_at = [&](int64_t i) {
    // Null rows may hold any code; clamp it to a valid one (the row stays null).
    return codes[i] >= 0 && codes[i] < num_categories ? codes[i] : 0;
  };
  if (per_category->type().id() == TypeId::kString) {
    StringBuilder builder(length);
    for (int64_t i = 0; i < length; ++i) {
      if (column.IsValid(i)) {
        builder.Append(per_category->GetString(code_at(i)));
      } else {
        builder.AppendNull();
      }
    }
    return builder.Finish();
  }
  return VisitFixedWidth(per_category->type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = per_category->values<T>();
    MutableBuffer values = AllocateValues<T>(length);
    T* out = values->mutable_data_as<T>();
    for (int64_t i = 0; i < length; ++i) out[i] = num_categories > 0 ? in[code_at(i)] : T{};
    BufferPtr validity = internal::RebasedValidity(column);
    internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, T{});
    return Column::Make(per_category->type(), length, std::move(values), std::move(validity),
                        column.null_count());
  });
}

// A bool result from per-row bytes, keeping the input's nulls (False in their slots).
ColumnPtr FinishPredicate(const Column& column, MutableBuffer values) {
  const int64_t length = column.length();
  BufferPtr validity = internal::RebasedValidity(column);
  internal::FillNullSlots(values->mutable_data(), validity ? validity->data() : nullptr, length,
                          uint8_t(0));
  return Column::Make(types::Bool(), length, std::move(values), std::move(validity),
                      column.null_count());
}

// Calls fn(row, text) for every row; the predicate's answer goes to the row's byte.
template <typename Fn>
ColumnPtr RowPredicate(const Column& column, Fn&& fn) {
  const int64_t length = column.length();
  MutableBuffer values = AllocateValues<uint8_t>(length);
  uint8_t* out = values->mutable_data();
  const int64_t* offsets = column.string_offsets();
  const char* data = column.string_data();
  for (int64_t i = 0; i < length; ++i) {
    out[i] = fn(std::string_view(data + offsets[i], size_t(offsets[i + 1] - offsets[i])));
  }
  return FinishPredicate(column, std::move(values));
}

// Searches the whole bytes buffer at once (fast when matches are rare), then maps each hit to
// its row, rejecting hits that straddle two rows.
ColumnPtr ContainsLiteral(const Column& column, std::string_view pattern) {
  const int64_t length = column.length();
  MutableBuffer values = AllocateValues<uint8_t>(length);
  uint8_t* out = values->mutable_data();
  std::fill_n(out, length, uint8_t(pattern.empty()));
  const int64_t* offsets = column.string_offsets();
  const char* data = column.string_data();
  const int64_t end = length > 0 ? offsets[length] : 0;
  int64_t position = length > 0 ? offsets[0] : 0;
  int64_t row = 0;
  while (!pattern.empty() && position < end) {
    const void* hit = memmem(data + position, size_t(end - position), pattern.data(), pattern.size());
    if (hit == nullptr) break;
    const int64_t at = static_cast<const char*>(hit) - data;
    while (offsets[row + 1] <= at) ++row;
    if (at + int64_t(pattern.size()) <= offsets[row + 1]) {
      out[row] = 1;
      position = offsets[row + 1];
    } else {
      position = at + 1;
    }
  }
  return FinishPredicate(column, std::move(values));
}

ColumnPtr ContainsRegex(const Column& column, std::string_view pattern) {
  std::regex expression;
  try {
    expression.assign(pattern.data(), pattern.size(), std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw InvalidArgument("invalid regular expression '" + std::string(pattern) + "': " +
                          error.what() + "; pass regex=false to match it literally");
  }
  return RowPredicate(column, [&](std::string_view text) {
    return std::regex_search(text.begin(), text.end(), expression);
  });
}

// Rows whose bytes map one to one (case mapping): one pass over all bytes, offsets rebased.
template <typename Fn>
ColumnPtr MapBytes(const Column& column, Fn&& map) {
  const int64_t length = column.length();
  const int64_t* offsets = column.string_offsets();
  const int64_t first = offsets[0];
  const int64_t num_bytes = offsets[length] - first;
  MutableBuffer bytes = memory::Buffer::Allocate(num_bytes);
  MutableBuffer new_offsets = AllocateValues<int64_t>(length + 1);
  const char* in = column.string_data() + first;
  char* out = reinterpret_cast<char*>(bytes->mutable_data());
  for (int64_t i = 0; i < num_bytes; ++i) out[i] = map(in[i]);
  int64_t* out_offsets = new_offsets->mutable_data_as<int64_t>();
  for (int64_t i = 0; i <= length; ++i) out_offsets[i] = offsets[i] - first;
  return Column::Make(types::String(), length, std::move(bytes), internal::RebasedValidity(column),
                      column.null_count(), std::move(new_offsets));
}

// Each row replaced by a sub-range of itself; `fn` narrows [begin, end).
template <typename Fn>
ColumnPtr Substrings(const Column& column, Fn&& narrow) {
  const int64_t length = column.length();
  const int64_t* offsets = column.string_offsets();
  StringBuilder builder(length, offsets[length] - offsets[0]);
  const char* data = column.string_data();
  for (int64_t i = 0; i < length; ++i) {
    if (!column.IsValid(i)) {
      builder.AppendNull();
      continue;
    }
    const char* begin = data + offsets[i];
    const char* end = data + offsets[i + 1];
    narrow(begin, end);
    builder.UnsafeAppend(std::string_view(begin, size_t(end - begin)));
  }
  return builder.Finish();
}

ColumnPtr StripSides(const Column& column, bool left, bool right, const char* kernel) {
  CheckText(column, kernel);
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return StripSides(c, left, right, kernel); });
  }
  return Substrings(column, [&](const char*& begin, const char*& end) {
    while (left && begin < end && IsAsciiSpace(*begin)) ++begin;
    while (right && end > begin && IsAsciiSpace(end[-1])) --end;
  });
}

// Byte position of code point `index` (0..count) in [begin, end).
inline const char* CodePointAt(const char* begin, const char* end, int64_t index) {
  const char* p = begin;
  for (; p < end; ++p) {
    if (!IsContinuationByte(*p) && index-- == 0) return p;
  }
  return end;
}

}  // namespace

ColumnPtr Length(const Column& column) {
  CheckText(column, "len");
  if (column.type().id() == TypeId::kCategorical) return ViaCategories(column, Length);
  const int64_t length = column.length();
  MutableBuffer values = AllocateValues<int64_t>(length);
  int64_t* out = values->mutable_data_as<int64_t>();
  const int64_t* offsets = column.string_offsets();
  const char* data = column.string_data();
  for (int64_t i = 0; i < length; ++i) {
    out[i] = CountCodePoints(data + offsets[i], data + offsets[i + 1]);
  }
  BufferPtr validity = internal::RebasedValidity(column);
  internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, int64_t(0));
  return Column::Make(types::Int64(), length, std::move(values), std::move(validity),
                      column.null_count());
}

ColumnPtr Lower(const Column& column) {
  CheckText(column, "lower");
  if (column.type().id() == TypeId::kCategorical) return ViaCategories(column, Lower);
  return MapBytes(column, [](char c) { return char(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
}

ColumnPtr Upper(const Column& column) {
  CheckText(column, "upper");
  if (column.type().id() == TypeId::kCategorical) return ViaCategories(column, Upper);
  return MapBytes(column, [](char c) { return char(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c); });
}

ColumnPtr Strip(const Column& column) { return StripSides(column, true, true, "strip"); }
ColumnPtr LStrip(const Column& column) { return StripSides(column, true, false, "lstrip"); }
ColumnPtr RStrip(const Column& column) { return StripSides(column, false, true, "rstrip"); }

ColumnPtr Contains(const Column& column, std::string_view pattern, bool regex) {
  CheckText(column, "contains");
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return Contains(c, pattern, regex); });
  }
  return regex ? ContainsRegex(column, pattern) : ContainsLiteral(column, pattern);
}

ColumnPtr StartsWith(const Column& column, std::string_view prefix) {
  CheckText(column, "startswith");
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return StartsWith(c, prefix); });
  }
  return RowPredicate(column, [&](std::string_view text) {
    return text.size() >= prefix.size() && std::memcmp(text.data(), prefix.data(), prefix.size()) == 0;
  });
}

ColumnPtr EndsWith(const Column& column, std::string_view suffix) {
  CheckText(column, "endswith");
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return EndsWith(c, suffix); });
  }
  return RowPredicate(column, [&](std::string_view text) {
    return text.size() >= suffix.size() &&
           std::memcmp(text.data() + text.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
  });
}

ColumnPtr Slice(const Column& column, std::optional<int64_t> start, std::optional<int64_t> stop) {
  CheckText(column, "slice");
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return Slice(c, start, stop); });
  }
  return Substrings(column, [&](const char*& begin, const char*& end) {
    const int64_t count = CountCodePoints(begin, end);
    const auto resolve = [count](std::optional<int64_t> index, int64_t fallback) {
      if (!index) return fallback;
      const int64_t position = *index < 0 ? *index + count : *index;
      return std::clamp<int64_t>(position, 0, count);
    };
    const int64_t first = resolve(start, 0);
    const int64_t last = resolve(stop, count);
    if (first >= last) {
      end = begin;
      return;
    }
    if (count == end - begin) {  // ASCII: code points are bytes
      end = begin + last;
      begin += first;
      return;
    }
    const char* new_begin = CodePointAt(begin, end, first);
    end = CodePointAt(new_begin, end, last - first);
    begin = new_begin;
  });
}

ColumnPtr Replace(const Column& column, std::string_view old, std::string_view replacement) {
  CheckText(column, "replace");
  if (column.type().id() == TypeId::kCategorical) {
    return ViaCategories(column, [&](const Column& c) { return Replace(c, old, replacement); });
  }
  const int64_t length = column.length();
  const int64_t* offsets = column.string_offsets();
  StringBuilder builder(length, offsets[length] - offsets[0]);
  std::string scratch;  // reused across rows; its capacity grows once
  for (int64_t i = 0; i < length; ++i) {
    if (!column.IsValid(i)) {
      builder.AppendNull();
      continue;
    }
    const std::string_view text = column.GetString(i);
    scratch.clear();
    if (old.empty()) {
      scratch.append(replacement);
      for (size_t p = 0; p < text.size(); ++p) {
        scratch.push_back(text[p]);
        if (p + 1 == text.size() || !IsContinuationByte(text[p + 1])) scratch.append(replacement);
      }
    } else {
      size_t from = 0;
      for (size_t hit = text.find(old); hit != std::string_view::npos; hit = text.find(old, from)) {
        scratch.append(text.substr(from, hit - from));
        scratch.append(replacement);
        from = hit + old.size();
      }
      if (from == 0) {
        builder.Append(text);
        continue;
      }
      scratch.append(text.substr(from));
    }
    builder.Append(scratch);
  }
  return builder.Finish();
}

}  // namespace tessera::compute
