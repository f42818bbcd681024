#include "tessera/compute/null_handling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/compute/type_promotion.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table.hpp"

namespace tessera::compute {

namespace {

using internal::AllocateValues;
using internal::MutableBuffer;

// out[i] = 1 where the row is missing (null, or NaN in a float column).
void MissingInto(const Column& column, uint8_t* out) {
  const int64_t length = column.length();
  if (column.type().id() == TypeId::kFloat64) {
    const double* in = column.values<double>();
    for (int64_t i = 0; i < length; ++i) out[i] = std::isnan(in[i]);
  } else if (column.type().id() == TypeId::kFloat32) {
    const float* in = column.values<float>();
    for (int64_t i = 0; i < length; ++i) out[i] = std::isnan(in[i]);
  } else {
    std::fill_n(out, length, uint8_t(0));
  }
  internal::ForEachNull(column, [&](int64_t i) { out[i] = 1; });
}

ColumnPtr MakeMask(MutableBuffer values, int64_t length) {
  return Column::Make(types::Bool(), length, std::move(values), nullptr, 0);
}

// The code of `category` in a categorical column's dictionary, or -1.
int32_t CategoryCode(const Column& categorical, std::string_view category) {
  const Column& dictionary = *categorical.dictionary();
  for (int64_t i = 0; i < dictionary.length(); ++i) {
    if (dictionary.GetString(i) == category) return int32_t(i);
  }
  return -1;
}

[[noreturn]] void ThrowWhereTypes(DataType x, DataType other) {
  throw TypeError("cannot combine a " + x.ToString() + " column with a " + other.ToString() +
                  " value; Cast one side so both have the same kind");
}

// The other operand of Where: a column, a valid scalar, or a null.
struct Other {
  const Column* column = nullptr;
  const Scalar* scalar = nullptr;  // null pointer or null scalar: missing
  bool missing() const { return column == nullptr && (scalar == nullptr || scalar->is_null()); }
  bool IsValid(int64_t i) const { return column ? column->IsValid(i) : !missing(); }
};

// Row i takes x when take[i] is non-zero, `other` elsewhere; types already agree.
template <typename T>
ColumnPtr SelectFixedWidth(DataType type, const uint8_t* take, const Column& x, const Other& other,
                           T other_value, ColumnPtr dictionary) {
  const int64_t length = x.length();
  MutableBuffer values = AllocateValues<T>(length);
  T* out = values->mutable_data_as<T>();
  const T* x_values = x.values<T>();
  if (other.column != nullptr) {
    const T* other_values = other.column->values<T>();
    for (int64_t i = 0; i < length; ++i) out[i] = take[i] ? x_values[i] : other_values[i];
  } else {
    for (int64_t i = 0; i < length; ++i) out[i] = take[i] ? x_values[i] : other_value;
  }
  BufferPtr validity;
  int64_t null_count = 0;
  const bool other_has_nulls = other.column ? other.column->has_nulls() : other.missing();
  if (x.has_nulls() || other_has_nulls) {
    std::vector<uint8_t> valid(static_cast<size_t>(length));
    for (int64_t i = 0; i < length; ++i) valid[size_t(i)] = take[i] ? x.IsValid(i) : other.IsValid(i);
    validity = internal::BitmapFromBytes(valid.data(), length, &null_count);
    if constexpr (std::is_floating_point_v<T>) {
      internal::FillNullSlots(out, validity->data(), length, std::numeric_limits<T>::quiet_NaN());
    }
  }
  return Column::Make(type, length, std::move(values), std::move(validity), null_count, nullptr,
                      std::move(dictionary));
}

ColumnPtr SelectStrings(const uint8_t* take, const Column& x, const Other& other) {
  const int64_t length = x.length();
  StringBuilder builder(length, x.string_offsets()[length] - x.string_offsets()[0]);
  const bool other_is_scalar = other.column == nullptr && !other.missing();
  for (int64_t i = 0; i < length; ++i) {
    if (take[i]) {
      if (x.IsValid(i)) {
        builder.Append(x.GetString(i));
      } else {
        builder.AppendNull();
      }
    } else if (other_is_scalar) {
      builder.Append(other.scalar->as_string());
    } else if (other.column != nullptr && other.column->IsValid(i)) {
      builder.Append(other.column->GetString(i));
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

bool IsTextual(DataType type) {
  return type.id() == TypeId::kString || type.id() == TypeId::kCategorical;
}

ColumnPtr WhereImpl(const Column& condition, const Column& x, const Other& other) {
  if (condition.type().id() != TypeId::kBool) {
    throw TypeError("Where needs a bool condition, got " + condition.type().ToString() +
                    "; compare first (e.g. column > 0)");
  }
  internal::CheckSameLength(condition, x, "Where");
  if (other.column) internal::CheckSameLength(x, *other.column, "Where");
  const int64_t length = x.length();
  // A null condition means "not x".
  std::vector<uint8_t> take(condition.values<uint8_t>(), condition.values<uint8_t>() + length);
  internal::ForEachNull(condition, [&](int64_t i) { take[size_t(i)] = 0; });

  const DataType x_type = x.type();
  const DataType other_type = other.column ? other.column->type() : other.scalar ? other.scalar->type() : x_type;
  if (IsTextual(x_type)) {
    if (!other.missing() && !IsTextual(other_type)) ThrowWhereTypes(x_type, other_type);
    if (x_type.id() == TypeId::kCategorical) {
      // Codes can be kept when `other` uses the same categories.
      int32_t other_code = 0;
      const bool same_categories =
          other.missing() ||
          (other.scalar && (other_code = CategoryCode(x, other.scalar->as_string())) >= 0) ||
          (other.column && other_type.id() == TypeId::kCategorical &&
           ColumnsEqual(*other.column->dictionary(), *x.dictionary()));
      if (same_categories) {
        return SelectFixedWidth<int32_t>(x_type, take.data(), x, other, other_code, x.dictionary());
      }
    }
    const ColumnPtr x_strings = Cast(x, types::String());
    ColumnPtr other_strings;
    Other other_as_strings = other;
    if (other.column) {
      other_strings = Cast(*other.column, types::String());
      other_as_strings.column = other_strings.get();
    }
    return SelectStrings(take.data(), *x_strings, other_as_strings);
  }
  if (IsNumericOrBool(x_type)) {
    DataType result_type = x_type;
    if (other.column) {
      if (!IsNumericOrBool(other_type)) ThrowWhereTypes(x_type, other_type);
      result_type = PromoteNumeric(x_type, other_type);
    } else if (!other.missing()) {
      if (!IsNumericOrBool(other_type)) ThrowWhereTypes(x_type, other_type);
      result_type = PromoteWithScalar(x_type, *other.scalar);
    }
    const ColumnPtr x_converted = Cast(x, result_type);
    ColumnPtr other_converted;
    Other converted = other;
    if (other.column) {
      other_converted = Cast(*other.column, result_type);
      converted.column = other_converted.get();
    }
    return VisitFixedWidth(result_type, [&](auto tag) {
      using T = decltype(tag);
      T other_value{};
      if (other.column == nullptr) {
        other_value = other.missing() ? T{} : internal::ScalarValueAs<T>(*other.scalar);
      }
      return SelectFixedWidth<T>(result_type, take.data(), *x_converted, converted, other_value,
                                 nullptr);
    });
  }
  if (x_type.has_unit() && other_type.id() == x_type.id() &&
      (other.column ? other_type.unit() != x_type.unit() : !other.missing() && other_type.unit() > x_type.unit())) {
    // Timestamps (durations) of another unit: both in the finer one, as pandas.
    const TimeUnit unit = FinerUnit(x_type.unit(), other_type.unit());
    const ColumnPtr x_converted = CastTimeUnit(x, unit);
    if (!other.column) return WhereImpl(condition, *x_converted, other);
    const ColumnPtr other_converted = CastTimeUnit(*other.column, unit);
    return WhereImpl(condition, *x_converted, Other{other_converted.get(), nullptr});
  }
  if (x_type.is_temporal()) {
    int64_t scalar_value = 0;
    const bool compatible = other.missing() || (other.column && other_type == x_type) ||
                            (other.scalar && internal::TemporalScalarValue(x_type, *other.scalar,
                                                                           &scalar_value));
    if (!compatible) ThrowWhereTypes(x_type, other_type);
    return VisitFixedWidth(x_type, [&](auto tag) {
      using T = decltype(tag);
      return SelectFixedWidth<T>(x_type, take.data(), x, other, T(scalar_value), nullptr);
    });
  }
  ThrowWhereTypes(x_type, other_type);
}

template <typename T>
inline T ClipValue(T value, T lower, T upper) {
  // Comparisons leave NaN untouched.
  const T raised = value < lower ? lower : value;
  return upper < raised ? upper : raised;
}

// Integer round half to even at a multiple of `unit`, exact (no float round trip).
inline int64_t RoundIntegerHalfEven(int64_t value, int64_t unit) {
  int64_t quotient = value / unit;
  int64_t remainder = value % unit;
  if (remainder < 0) {
    remainder += unit;
    --quotient;
  }
  const int64_t twice = remainder * 2;  // unit <= 10^18, so this fits
  if (twice > unit || (twice == unit && (quotient & 1) != 0)) ++quotient;
  return int64_t(uint64_t(quotient) * uint64_t(unit));
}

}  // namespace

ColumnPtr IsNull(const Column& column) {
  MutableBuffer values = AllocateValues<uint8_t>(column.length());
  MissingInto(column, values->mutable_data());
  return MakeMask(std::move(values), column.length());
}

ColumnPtr NotNull(const Column& column) {
  MutableBuffer values = AllocateValues<uint8_t>(column.length());
  uint8_t* out = values->mutable_data();
  MissingInto(column, out);
  for (int64_t i = 0; i < column.length(); ++i) out[i] = out[i] == 0;
  return MakeMask(std::move(values), column.length());
}

ColumnPtr FillNull(const Column& column, const Scalar& value) {
  if (value.is_null()) return column.Slice(0, column.length());
  if (column.type().id() == TypeId::kCategorical && value.type().id() == TypeId::kString &&
      CategoryCode(column, value.as_string()) < 0) {
    throw TypeError("cannot fill a categorical column with '" + value.as_string() +
                    "': it is not one of its categories; add the category first or Cast the "
                    "column to string");
  }
  const ColumnPtr present = NotNull(column);
  Other other;
  other.scalar = &value;
  return WhereImpl(*present, column, other);
}

ColumnPtr DropNullMask(const std::vector<ColumnPtr>& columns, std::string_view how) {
  const bool any = how == "any";
  if (!any && how != "all") {
    throw InvalidArgument("DropNullMask: how must be \"any\" or \"all\", got \"" +
                          std::string(how) + "\"");
  }
  if (columns.empty()) throw InvalidArgument("DropNullMask needs at least one column");
  const int64_t length = columns[0]->length();
  MutableBuffer values = AllocateValues<uint8_t>(length);
  uint8_t* keep = values->mutable_data();
  // any: keep rows where no column is missing; all: keep rows where some column is present.
  std::fill_n(keep, length, uint8_t(any ? 1 : 0));
  std::vector<uint8_t> missing(static_cast<size_t>(length));
  for (const ColumnPtr& column : columns) {
    internal::CheckSameLength(*columns[0], *column, "DropNullMask");
    MissingInto(*column, missing.data());
    if (any) {
      for (int64_t i = 0; i < length; ++i) keep[i] &= uint8_t(missing[size_t(i)] == 0);
    } else {
      for (int64_t i = 0; i < length; ++i) keep[i] |= uint8_t(missing[size_t(i)] == 0);
    }
  }
  return MakeMask(std::move(values), length);
}

ColumnPtr Where(const Column& condition, const Column& x, const Column& other) {
  Other operand;
  operand.column = &other;
  return WhereImpl(condition, x, operand);
}

ColumnPtr Where(const Column& condition, const Column& x, const Scalar& other) {
  Other operand;
  operand.scalar = &other;
  return WhereImpl(condition, x, operand);
}

ColumnPtr Clip(const Column& column, const Scalar& lower, const Scalar& upper) {
  const DataType type = column.type();
  const auto is_bound = [](const Scalar& bound) {
    return bound.is_valid() && !(bound.type().is_floating() && std::isnan(bound.as_double()));
  };
  const bool has_lower = is_bound(lower);
  const bool has_upper = is_bound(upper);
  const int64_t length = column.length();
  if (IsNumericOrBool(type)) {
    DataType result_type = type;
    if (has_lower) result_type = PromoteWithScalar(result_type, lower);
    if (has_upper) result_type = PromoteWithScalar(result_type, upper);
    const ColumnPtr converted = Cast(column, result_type);
    return VisitFixedWidth(result_type, [&](auto tag) {
      using T = decltype(tag);
      // Without a bound, infinities must pass through untouched.
      using Limits = std::numeric_limits<T>;
      const T no_lower = Limits::has_infinity ? T(-Limits::infinity()) : Limits::lowest();
      const T no_upper = Limits::has_infinity ? Limits::infinity() : Limits::max();
      const T low = has_lower ? internal::ScalarValueAs<T>(lower) : no_lower;
      const T high = has_upper ? internal::ScalarValueAs<T>(upper) : no_upper;
      const T* in = converted->values<T>();
      MutableBuffer values = AllocateValues<T>(length);
      T* out = values->mutable_data_as<T>();
      for (int64_t i = 0; i < length; ++i) out[i] = ClipValue(in[i], low, high);
      return Column::Make(result_type, length, std::move(values),
                          internal::RebasedValidity(*converted), converted->null_count());
    });
  }
  if (type.is_temporal()) {
    int64_t low = std::numeric_limits<int64_t>::lowest();
    int64_t high = std::numeric_limits<int64_t>::max();
    if ((has_lower && !internal::TemporalScalarValue(type, lower, &low)) ||
        (has_upper && !internal::TemporalScalarValue(type, upper, &high))) {
      throw TypeError("Clip bounds for a " + type.ToString() + " column must be " +
                      type.ToString() + " values (or ISO strings), got " + lower.type().ToString() +
                      " and " + upper.type().ToString());
    }
    // Timestamps and durations store int64, dates int32.
    auto clip = [&](auto tag) {
      using T = decltype(tag);
      const T* in = column.values<T>();
      const T typed_low = T(std::max<int64_t>(low, std::numeric_limits<T>::lowest()));
      const T typed_high = T(std::min<int64_t>(high, std::numeric_limits<T>::max()));
      MutableBuffer values = AllocateValues<T>(length);
      T* out = values->mutable_data_as<T>();
      for (int64_t i = 0; i < length; ++i) out[i] = ClipValue(in[i], typed_low, typed_high);
      return Column::Make(type, length, std::move(values), internal::RebasedValidity(column),
                          column.null_count());
    };
    return type.id() == TypeId::kDate ? clip(int32_t{}) : clip(int64_t{});
  }
  throw TypeError("cannot clip a " + type.ToString() + " column; Clip takes numbers and "
                  "timestamps, durations or dates");
}

ColumnPtr Round(const Column& column, int decimals) {
  const DataType type = column.type();
  const int64_t length = column.length();
  if (type.id() == TypeId::kBool || (type.is_integer() && decimals >= 0)) {
    return column.Slice(0, length);
  }
  if (type.is_integer()) {
    // Beyond 10^18 every integer rounds to 0 (the nearest multiple is 0 for all int64 values).
    const ColumnPtr wide = Cast(column, types::Int64());
    const int64_t* in = wide->values<int64_t>();
    MutableBuffer values = AllocateValues<int64_t>(length);
    int64_t* out = values->mutable_data_as<int64_t>();
    if (-decimals > 18) {
      std::fill_n(out, length, int64_t(0));
    } else {
      int64_t unit = 1;
      for (int i = 0; i < -decimals; ++i) unit *= 10;
      for (int64_t i = 0; i < length; ++i) out[i] = RoundIntegerHalfEven(in[i], unit);
    }
    const ColumnPtr rounded = Column::Make(types::Int64(), length, std::move(values),
                                           internal::RebasedValidity(*wide), wide->null_count());
    return Cast(*rounded, type);
  }
  if (!type.is_floating()) {
    throw TypeError("cannot round a " + type.ToString() +
                    " column; Round takes numbers (use Floor/Ceil/Round with a frequency for "
                    "timestamps)");
  }
  return VisitFixedWidth(type, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* in = column.values<T>();
      MutableBuffer values = AllocateValues<T>(length);
      T* out = values->mutable_data_as<T>();
      const T factor = T(std::pow(10.0, std::abs(decimals)));
      if (decimals >= 0) {
        for (int64_t i = 0; i < length; ++i) out[i] = std::rint(in[i] * factor) / factor;
      } else {
        for (int64_t i = 0; i < length; ++i) out[i] = std::rint(in[i] / factor) * factor;
      }
      return Column::Make(type, length, std::move(values), internal::RebasedValidity(column),
                          column.null_count());
    } else {
      throw Internal("float round reached a non-float type");
    }
  });
}

}  // namespace tessera::compute
