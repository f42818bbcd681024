#include "tessera/io/csv/column_converter.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::io::csv {

namespace {

inline std::string_view RawField(const char* data, const uint32_t* starts, const uint32_t* ends, int64_t row) {
  return {data + starts[row], size_t(ends[row] - starts[row])};
}

// Shared shape of every fixed-width converter: `parse` returns true and sets the value, or
// returns false for text that is not of the type. Missing values become nulls. `padded` says
// the text lies in the tokenizer's window, so reading up to eight bytes past it is safe.
template <typename T, typename Parse>
ConversionFailure AppendFixedWidth(FixedWidthBuilder<T>& builder, const ConverterContext& context,
                                   const char* data, const FieldBatch& batch, int column,
                                   bool nulls_allowed, Parse&& parse) {
  std::string scratch;
  T* values = builder.mutable_values();
  int64_t length = builder.length();
  const uint32_t* starts = batch.column_starts(column);
  const uint32_t* ends = batch.column_ends(column);
  for (int64_t row = 0; row < batch.num_rows; ++row) {
    std::string_view field = RawField(data, starts, ends, row);
    T value;
    if (!field.empty() && parse(field, &value, /*padded=*/true)) {
      values[length++] = value;
      continue;
    }
    field = Unquote(field, context.quote, &scratch);
    if (context.na_values->Contains(field)) {
      if (!nulls_allowed) {
        builder.SetLength(length);
        return {row, std::string(field)};
      }
      builder.SetLength(length);
      builder.SetNull(length);
      ++length;
      continue;
    }
    const std::string_view trimmed = TrimSpaces(field);
    if (!trimmed.empty() && parse(trimmed, &value, /*padded=*/false)) {
      values[length++] = value;
      continue;
    }
    builder.SetLength(length);
    return {row, std::string(field)};
  }
  builder.SetLength(length);
  return {};
}

// Field parsers: operator()(text, &value, padded) returns true and sets the value, or returns
// false for text that is not of the type.
template <typename T>
struct IntegerParser {
  [[gnu::always_inline]] bool operator()(std::string_view text, T* value, bool) const {
    int64_t wide;
    if (!ParseInt64(text, &wide)) return false;
    if constexpr (std::is_unsigned_v<T>) {
      if (wide < 0) return false;
    }
    if (wide < int64_t(std::numeric_limits<T>::min()) ||
        (wide > 0 && uint64_t(wide) > uint64_t(std::numeric_limits<T>::max()))) {
      return false;
    }
    *value = T(wide);
    return true;
  }
};

template <typename T>
struct FloatParser {
  [[gnu::always_inline]] bool operator()(std::string_view text, T* value, bool padded) const {
    double wide;
    if (!(padded ? ParseFloat64Padded(text.data(), text.size(), &wide) : ParseFloat64(text, &wide))) {
      return false;
    }
    *value = T(wide);
    return true;
  }
};

struct BoolParser {
  bool operator()(std::string_view text, uint8_t* value, bool) const {
    bool parsed;
    if (!ParseBool(text, &parsed)) return false;
    *value = parsed;
    return true;
  }
};

// dtype=bool as pandas reads it: True/False text, or numbers that are exactly 0 or 1 ("1",
// "0.0"), which pandas parses as numbers and then casts losslessly to bool.
struct DeclaredBoolParser {
  bool operator()(std::string_view text, uint8_t* value, bool padded) const {
    if (BoolParser{}(text, value, padded)) return true;
    double number;
    if (!ParseFloat64(text, &number) || (number != 0 && number != 1)) return false;
    *value = number == 1;
    return true;
  }
};

// Timestamps (int64 ticks of their unit) or dates (int32 days, parsed as seconds), ISO 8601 or
// a strftime layout.
template <typename T>
struct TemporalParser {
  std::string format;
  int64_t ticks_per_second;
  IsoTimestampParser iso{ticks_per_second};

  bool operator()(std::string_view text, T* value, bool) {
    int64_t ticks;
    const bool ok = format.empty() ? iso.Parse(text, &ticks)
                                   : ParseTimestampWithFormat(text, format, &ticks, ticks_per_second);
    if (!ok) return false;
    if constexpr (sizeof(T) == 4) {
      *value = T(civil::FloorDiv(ticks, 86400));
    } else {
      *value = ticks;
    }
    return true;
  }
};

// Every fixed-width converter: a builder of T filled by a Parser. `nulls_allowed` is false for
// inferred integers, which become float64 at their first missing value, as in pandas.
template <typename T, typename Parser>
class FixedWidthConverter final : public ColumnConverter {
 public:
  FixedWidthConverter(DataType type, const ConverterContext& context, int64_t rows, Parser parser,
                      bool nulls_allowed)
      : context_(context), builder_(type, rows), parser_(std::move(parser)), nulls_allowed_(nulls_allowed) {}
  void Reserve(int64_t rows) override { builder_.Reserve(builder_.length() + rows); }
  ConversionFailure Append(const char* data, const FieldBatch& batch, int column) override {
    return AppendFixedWidth(builder_, context_, data, batch, column, nulls_allowed_, parser_);
  }
  ColumnPtr Finish() override { return builder_.Finish(); }

 private:
  ConverterContext context_;
  FixedWidthBuilder<T> builder_;
  Parser parser_;
  bool nulls_allowed_;
};

template <typename T, typename Parser>
std::unique_ptr<ColumnConverter> MakeFixedWidth(DataType type, const ConverterContext& context, int64_t rows,
                                                Parser parser, bool nulls_allowed = true) {
  return std::make_unique<FixedWidthConverter<T, Parser>>(type, context, rows, std::move(parser), nulls_allowed);
}

template <typename T>
std::unique_ptr<ColumnConverter> MakeInteger(DataType type, const ConverterContext& context, int64_t rows) {
  return MakeFixedWidth<T>(type, context, rows, IntegerParser<T>{}, context.declared);
}

class StringConverter final : public ColumnConverter {
 public:
  StringConverter(const ConverterContext& context, int64_t rows, int64_t bytes)
      : context_(context), builder_(rows, bytes) {}
  void Reserve(int64_t rows) override { builder_.Reserve(builder_.length() + rows); }
  ConversionFailure Append(const char* data, const FieldBatch& batch, int column) override {
    std::string scratch;
    const uint32_t* starts = batch.column_starts(column);
    const uint32_t* ends = batch.column_ends(column);
    // Reserve the bytes of the whole batch once: unquoting only ever shrinks a field.
    int64_t batch_bytes = 0;
    for (int64_t row = 0; row < batch.num_rows; ++row) batch_bytes += ends[row] - starts[row];
    builder_.ReserveBytes(builder_.num_bytes() + batch_bytes);
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      const std::string_view field = Unquote(RawField(data, starts, ends, row), context_.quote, &scratch);
      if (context_.na_values->Contains(field)) {
        builder_.AppendNull();
        continue;
      }
      if (!IsValidUtf8(field)) return {row, std::string(field)};
      builder_.UnsafeAppend(field);
    }
    return {};
  }
  ColumnPtr Finish() override { return builder_.Finish(); }

 private:
  ConverterContext context_;
  StringBuilder builder_;
};

// Dictionary-encodes as it goes; categories are sorted at Finish, as pandas orders them.
class CategoricalConverter final : public ColumnConverter {
 public:
  CategoricalConverter(const ConverterContext& context, int64_t rows)
      : context_(context), codes_(types::Categorical(), rows) {}
  void Reserve(int64_t rows) override { codes_.Reserve(codes_.length() + rows); }
  ConversionFailure Append(const char* data, const FieldBatch& batch, int column) override {
    std::string scratch;
    const uint32_t* starts = batch.column_starts(column);
    const uint32_t* ends = batch.column_ends(column);
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      const std::string_view field = Unquote(RawField(data, starts, ends, row), context_.quote, &scratch);
      if (context_.na_values->Contains(field)) {
        codes_.UnsafeAppendNull();
        continue;
      }
      auto found = codes_by_value_.find(std::string(field));
      if (found == codes_by_value_.end()) {
        if (!IsValidUtf8(field)) return {row, std::string(field)};
        found = codes_by_value_.emplace(std::string(field), int32_t(codes_by_value_.size())).first;
      }
      codes_.UnsafeAppend(found->second);
    }
    return {};
  }
  ColumnPtr Finish() override {
    std::vector<std::pair<std::string, int32_t>> sorted(codes_by_value_.begin(), codes_by_value_.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<int32_t> remap(sorted.size());
    StringBuilder dictionary(int64_t(sorted.size()));
    for (size_t i = 0; i < sorted.size(); ++i) {
      remap[size_t(sorted[i].second)] = int32_t(i);
      dictionary.Append(sorted[i].first);
    }
    int32_t* codes = codes_.mutable_values();
    for (int64_t i = 0; i < codes_.length(); ++i) codes[i] = remap.empty() ? 0 : remap[size_t(codes[i])];
    return codes_.Finish(dictionary.Finish());
  }

 private:
  ConverterContext context_;
  FixedWidthBuilder<int32_t> codes_;
  std::unordered_map<std::string, int32_t> codes_by_value_;
};

}  // namespace

std::unique_ptr<ColumnConverter> MakeColumnConverter(DataType type, const ConverterContext& context,
                                                     int64_t expected_rows, int64_t expected_bytes) {
  switch (type.id()) {
    case TypeId::kBool:
      // A declared bool column has no missing values, as in pandas ("Bool column has NA values").
      if (context.declared) return MakeFixedWidth<uint8_t>(type, context, expected_rows, DeclaredBoolParser{}, false);
      return MakeFixedWidth<uint8_t>(type, context, expected_rows, BoolParser{});
    case TypeId::kInt8: return MakeInteger<int8_t>(type, context, expected_rows);
    case TypeId::kInt16: return MakeInteger<int16_t>(type, context, expected_rows);
    case TypeId::kInt32: return MakeInteger<int32_t>(type, context, expected_rows);
    case TypeId::kInt64: return MakeInteger<int64_t>(type, context, expected_rows);
    case TypeId::kUInt8: return MakeInteger<uint8_t>(type, context, expected_rows);
    case TypeId::kUInt16: return MakeInteger<uint16_t>(type, context, expected_rows);
    case TypeId::kUInt32: return MakeInteger<uint32_t>(type, context, expected_rows);
    case TypeId::kUInt64: return MakeInteger<uint64_t>(type, context, expected_rows);
    case TypeId::kFloat32: return MakeFixedWidth<float>(type, context, expected_rows, FloatParser<float>{});
    case TypeId::kFloat64: return MakeFixedWidth<double>(type, context, expected_rows, FloatParser<double>{});
    case TypeId::kString: return std::make_unique<StringConverter>(context, expected_rows, expected_bytes);
    case TypeId::kTimestamp:
      return MakeFixedWidth<int64_t>(type, context, expected_rows, TemporalParser<int64_t>{context.date_format, TicksPerSecond(type.unit())});
    case TypeId::kDate:
      return MakeFixedWidth<int32_t>(type, context, expected_rows, TemporalParser<int32_t>{context.date_format, 1});
    case TypeId::kCategorical: return std::make_unique<CategoricalConverter>(context, expected_rows);
    case TypeId::kDuration: break;
  }
  throw NotImplemented("reading " + type.ToString() + " columns from CSV is not supported; read the "
                       "column as string and convert it");
}

std::string DescribeExpectedValue(DataType type) {
  if (type.id() == TypeId::kBool) return "a boolean (True/False in any case, or 1/0)";
  if (type.is_unsigned_integer()) return "a non-negative integer that fits " + type.ToString();
  if (type.is_integer()) return "an integer that fits " + type.ToString();
  if (type.is_floating()) return "a number";
  if (type.id() == TypeId::kTimestamp) return "a timestamp within the range of " + type.ToString();
  if (type.id() == TypeId::kDate) return "a date";
  return "valid UTF-8 text";
}

}  // namespace tessera::io::csv
