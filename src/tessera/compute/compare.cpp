#include "tessera/compute/compare.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/compute/type_promotion.hpp"

namespace tessera::compute {

namespace {

struct EqualOp {
  template <typename T>
  static bool Call(T a, T b) { return a == b; }
};
struct NotEqualOp {
  template <typename T>
  static bool Call(T a, T b) { return a != b; }
};
struct LessOp {
  template <typename T>
  static bool Call(T a, T b) { return a < b; }
};
struct LessEqualOp {
  template <typename T>
  static bool Call(T a, T b) { return a <= b; }
};
struct GreaterOp {
  template <typename T>
  static bool Call(T a, T b) { return a > b; }
};
struct GreaterEqualOp {
  template <typename T>
  static bool Call(T a, T b) { return a >= b; }
};

// Calls fn(Op{}) with the functor of `op`: the one switch per column.
template <typename Fn>
void WithOp(CompareOp op, Fn&& fn) {
  switch (op) {
    case CompareOp::kEqual: return fn(EqualOp{});
    case CompareOp::kNotEqual: return fn(NotEqualOp{});
    case CompareOp::kLess: return fn(LessOp{});
    case CompareOp::kLessEqual: return fn(LessEqualOp{});
    case CompareOp::kGreater: return fn(GreaterOp{});
    case CompareOp::kGreaterEqual: return fn(GreaterEqualOp{});
  }
}

// b op' a == a op b.
CompareOp Mirror(CompareOp op) {
  switch (op) {
    case CompareOp::kLess: return CompareOp::kGreater;
    case CompareOp::kLessEqual: return CompareOp::kGreaterEqual;
    case CompareOp::kGreater: return CompareOp::kLess;
    case CompareOp::kGreaterEqual: return CompareOp::kLessEqual;
    default: return op;
  }
}

bool IsOrdering(CompareOp op) { return op != CompareOp::kEqual && op != CompareOp::kNotEqual; }

template <typename Op, bool kScalarB, typename T>
void CompareLoop(const T* __restrict a, const T* __restrict b, uint8_t* __restrict out,
                 int64_t length) {
  const T scalar_b = kScalarB ? b[0] : T{};
  for (int64_t i = 0; i < length; ++i) out[i] = Op::Call(a[i], kScalarB ? scalar_b : b[i]);
}

template <typename T>
void CompareValues(CompareOp op, const T* a, const T* b, bool scalar_b, uint8_t* out,
                   int64_t length) {
  WithOp(op, [&](auto op_tag) {
    using Op = decltype(op_tag);
    if (scalar_b) {
      CompareLoop<Op, true>(a, b, out, length);
    } else {
      CompareLoop<Op, false>(a, b, out, length);
    }
  });
}

// Exact three-way comparison of a signed and an unsigned 64-bit value.
inline int CompareSignedUnsigned(int64_t a, uint64_t b) {
  if (a < 0) return -1;
  const uint64_t unsigned_a = uint64_t(a);
  return int(unsigned_a > b) - int(unsigned_a < b);
}

// Every valid row relates to the scalar the same way (`sign` of row - scalar).
void FillConstant(CompareOp op, int sign, uint8_t* out, int64_t length) {
  WithOp(op, [&](auto op_tag) {
    using Op = decltype(op_tag);
    std::fill_n(out, length, uint8_t(Op::Call(sign, 0)));
  });
}

// pandas: a comparison with a null is false, except != which is true.
void ApplyNulls(CompareOp op, const Column& column, uint8_t* out) {
  const uint8_t fill = op == CompareOp::kNotEqual;
  internal::ForEachNull(column, [&](int64_t i) { out[i] = fill; });
}

[[noreturn]] void ThrowUnordered(CompareOp op, DataType a, DataType b) {
  std::string hint;
  if (a.id() == TypeId::kCategorical || b.id() == TypeId::kCategorical) {
    hint = "; categoricals only compare with == and !=, cast to string to order them";
  }
  throw TypeError(std::string("'") + CompareOpSymbol(op) + "' is not supported between " +
                  a.ToString() + " and " + b.ToString() + hint);
}

// Unrelated types: pandas answers == with false and != with true, and refuses orderings.
void CompareUnrelated(CompareOp op, DataType a, DataType b, uint8_t* out, int64_t length) {
  if (IsOrdering(op)) ThrowUnordered(op, a, b);
  std::fill_n(out, length, uint8_t(op == CompareOp::kNotEqual));
}

template <bool kScalarB>
void CompareStrings(CompareOp op, const Column& a, const Column* b, std::string_view scalar,
                    uint8_t* out) {
  const int64_t* a_offsets = a.string_offsets();
  const char* a_data = a.string_data();
  WithOp(op, [&](auto op_tag) {
    using Op = decltype(op_tag);
    for (int64_t i = 0; i < a.length(); ++i) {
      const std::string_view x(a_data + a_offsets[i], size_t(a_offsets[i + 1] - a_offsets[i]));
      const std::string_view y = kScalarB ? scalar : b->GetString(i);
      out[i] = Op::Call(x.compare(y), 0);
    }
  });
}

// Compares each category once, then maps the codes.
void CompareCategoricalWithString(CompareOp op, const Column& a, std::string_view scalar,
                                  uint8_t* out) {
  const Column& dictionary = *a.dictionary();
  std::vector<uint8_t> per_category(size_t(dictionary.length()));
  CompareStrings<true>(op, dictionary, nullptr, scalar, per_category.data());
  const int32_t* codes = a.values<int32_t>();
  const uint32_t num_categories = uint32_t(per_category.size());
  for (int64_t i = 0; i < a.length(); ++i) {
    // Null rows may hold any code; they are overwritten afterwards.
    out[i] = uint32_t(codes[i]) < num_categories ? per_category[size_t(codes[i])] : 0;
  }
}

bool IsTextual(DataType type) {
  return type.id() == TypeId::kString || type.id() == TypeId::kCategorical;
}

void CompareColumnsInto(CompareOp op, const Column& a, const Column& b, uint8_t* out) {
  const DataType ta = a.type();
  const DataType tb = b.type();
  const int64_t length = a.length();
  if (IsNumericOrBool(ta) && IsNumericOrBool(tb)) {
    const DataType compute = PromoteNumeric(ta, tb);
    if (compute.id() == TypeId::kFloat64 && ta.is_integer() && tb.is_integer()) {
      // A signed integer against uint64: exact, where float64 would round large values.
      const bool a_signed = ta.is_signed_integer();
      const ColumnPtr signed_values = Cast(a_signed ? a : b, types::Int64());
      const ColumnPtr unsigned_values = Cast(a_signed ? b : a, types::UInt64());
      const int64_t* s = signed_values->values<int64_t>();
      const uint64_t* u = unsigned_values->values<uint64_t>();
      WithOp(a_signed ? op : Mirror(op), [&](auto op_tag) {
        using Op = decltype(op_tag);
        for (int64_t i = 0; i < length; ++i) out[i] = Op::Call(CompareSignedUnsigned(s[i], u[i]), 0);
      });
    } else {
      const ColumnPtr a_converted = ta == compute ? nullptr : Cast(a, compute);
      const ColumnPtr b_converted = tb == compute ? nullptr : Cast(b, compute);
      const Column& x = a_converted ? *a_converted : a;
      const Column& y = b_converted ? *b_converted : b;
      VisitFixedWidth(compute, [&](auto tag) {
        using T = decltype(tag);
        CompareValues<T>(op, x.values<T>(), y.values<T>(), false, out, length);
      });
    }
  } else if (IsTextual(ta) && IsTextual(tb)) {
    if (IsOrdering(op) && (ta.id() == TypeId::kCategorical || tb.id() == TypeId::kCategorical)) {
      ThrowUnordered(op, ta, tb);
    }
    const ColumnPtr a_strings = ta.id() == TypeId::kString ? nullptr : Cast(a, types::String());
    const ColumnPtr b_strings = tb.id() == TypeId::kString ? nullptr : Cast(b, types::String());
    const Column& x = a_strings ? *a_strings : a;
    const Column& y = b_strings ? *b_strings : b;
    CompareStrings<false>(op, x, &y, {}, out);
  } else if (ta.id() == tb.id() && ta.is_temporal()) {
    // Timestamps (durations) of different units compare in the finer one, as pandas does.
    const TimeUnit unit = FinerUnit(ta.unit(), tb.unit());
    const ColumnPtr a_converted = ta.unit() == unit ? nullptr : CastTimeUnit(a, unit);
    const ColumnPtr b_converted = tb.unit() == unit ? nullptr : CastTimeUnit(b, unit);
    const Column& x = a_converted ? *a_converted : a;
    const Column& y = b_converted ? *b_converted : b;
    VisitFixedWidth(ta, [&](auto tag) {
      using T = decltype(tag);
      CompareValues<T>(op, x.values<T>(), y.values<T>(), false, out, length);
    });
  } else {
    CompareUnrelated(op, ta, tb, out, length);
  }
  ApplyNulls(op, a, out);
  ApplyNulls(op, b, out);
}

void CompareNumericWithScalar(CompareOp op, const Column& a, const Scalar& scalar, uint8_t* out) {
  const DataType type = a.type();
  const int64_t length = a.length();
  const bool integer_column = type.is_integer() || type.id() == TypeId::kBool;
  if (integer_column && !scalar.type().is_floating()) {
    const __int128 value = internal::IntegerScalarValue(scalar);
    const DataType storage = type.id() == TypeId::kBool ? types::UInt8() : type;
    if (!IntegerFits(value, storage)) {
      // Outside the column's range: every row lies on the same side of the scalar.
      FillConstant(op, value > 0 ? -1 : 1, out, length);
      return;
    }
    VisitFixedWidth(type, [&](auto tag) {
      using T = decltype(tag);
      const T scalar_value = T(value);
      CompareValues<T>(op, a.values<T>(), &scalar_value, true, out, length);
    });
    return;
  }
  const DataType compute = PromoteWithScalar(type, scalar);
  const ColumnPtr converted = type == compute ? nullptr : Cast(a, compute);
  const Column& x = converted ? *converted : a;
  VisitFixedWidth(compute, [&](auto tag) {
    using T = decltype(tag);
    const T scalar_value = internal::ScalarValueAs<T>(scalar);
    CompareValues<T>(op, x.values<T>(), &scalar_value, true, out, length);
  });
}

void CompareScalarInto(CompareOp op, const Column& a, const Scalar& scalar, uint8_t* out) {
  const DataType type = a.type();
  const int64_t length = a.length();
  if (scalar.is_null()) {
    std::fill_n(out, length, uint8_t(op == CompareOp::kNotEqual));
    return;
  }
  int64_t temporal_value = 0;
  if (const auto finer = internal::FinerScalarUnit(type, scalar)) {
    // The scalar needs a finer unit than the column's: compare in that unit, as pandas does.
    CompareScalarInto(op, *CastTimeUnit(a, *finer), scalar, out);
    return;
  }
  if (IsNumericOrBool(type) && IsNumericOrBool(scalar.type())) {
    CompareNumericWithScalar(op, a, scalar, out);
  } else if (type.id() == TypeId::kString && scalar.type().id() == TypeId::kString) {
    CompareStrings<true>(op, a, nullptr, scalar.as_string(), out);
  } else if (type.id() == TypeId::kCategorical && scalar.type().id() == TypeId::kString) {
    if (IsOrdering(op)) ThrowUnordered(op, type, scalar.type());
    CompareCategoricalWithString(op, a, scalar.as_string(), out);
  } else if (type.is_temporal() && internal::TemporalScalarValue(type, scalar, &temporal_value)) {
    VisitFixedWidth(type, [&](auto tag) {
      using T = decltype(tag);
      const T scalar_value = T(temporal_value);
      CompareValues<T>(op, a.values<T>(), &scalar_value, true, out, length);
    });
  } else {
    CompareUnrelated(op, type, scalar.type(), out, length);
  }
  ApplyNulls(op, a, out);
}

ColumnPtr FinishMask(internal::MutableBuffer values, int64_t length) {
  return Column::Make(types::Bool(), length, std::move(values), nullptr, 0);
}

// The value a scalar takes in a column of `type`, if it can equal any row (for IsIn).
template <typename T>
bool MemberValue(DataType type, const Scalar& scalar, T* value) {
  const DataType scalar_type = scalar.type();
  if (type.is_temporal()) {
    int64_t temporal_value = 0;
    // A value finer than the column's unit equals no row.
    if (internal::FinerScalarUnit(type, scalar)) return false;
    if (!internal::TemporalScalarValue(type, scalar, &temporal_value)) return false;
    *value = T(temporal_value);
    return true;
  }
  if (!IsNumericOrBool(scalar_type)) return false;
  const DataType storage = type.id() == TypeId::kBool ? types::UInt8() : type;
  if (!scalar_type.is_floating()) {
    const __int128 integer = internal::IntegerScalarValue(scalar);
    if (type.is_floating()) {
      *value = T(integer);
      return true;
    }
    if (!IntegerFits(integer, storage)) return false;
    *value = T(integer);
    return true;
  }
  const double number = scalar.as_double();
  if (std::isnan(number)) return false;  // handled as a missing value
  if (type.is_floating()) {
    *value = T(number);
    return double(*value) == number;
  }
  if (number != std::floor(number) || std::isinf(number)) return false;
  if (number < -0x1p63 || number >= 0x1p64) return false;
  const __int128 integer = number < 0 ? __int128(int64_t(number)) : __int128(uint64_t(number));
  if (!IntegerFits(integer, storage)) return false;
  *value = T(integer);
  return true;
}

}  // namespace

const char* CompareOpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEqual: return "==";
    case CompareOp::kNotEqual: return "!=";
    case CompareOp::kLess: return "<";
    case CompareOp::kLessEqual: return "<=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kGreaterEqual: return ">=";
  }
  return "?";
}

ColumnPtr Compare(CompareOp op, const Column& a, const Column& b) {
  internal::CheckSameLength(a, b, CompareOpSymbol(op));
  internal::MutableBuffer values = internal::AllocateValues<uint8_t>(a.length());
  CompareColumnsInto(op, a, b, values->mutable_data());
  return FinishMask(std::move(values), a.length());
}

ColumnPtr Compare(CompareOp op, const Scalar& a, const Column& b) { return Compare(Mirror(op), b, a); }

ColumnPtr Compare(CompareOp op, const Column& a, const Scalar& b) {
  internal::MutableBuffer values = internal::AllocateValues<uint8_t>(a.length());
  CompareScalarInto(op, a, b, values->mutable_data());
  return FinishMask(std::move(values), a.length());
}

#define TESSERA_COMPARE_FORMS(Name, Op)                                                     \
  ColumnPtr Name(const Column& a, const Column& b) { return Compare(Op, a, b); }           \
  ColumnPtr Name(const Column& a, const Scalar& b) { return Compare(Op, a, b); }

TESSERA_COMPARE_FORMS(Equal, CompareOp::kEqual)
TESSERA_COMPARE_FORMS(NotEqual, CompareOp::kNotEqual)
TESSERA_COMPARE_FORMS(Less, CompareOp::kLess)
TESSERA_COMPARE_FORMS(LessEqual, CompareOp::kLessEqual)
TESSERA_COMPARE_FORMS(Greater, CompareOp::kGreater)
TESSERA_COMPARE_FORMS(GreaterEqual, CompareOp::kGreaterEqual)

#undef TESSERA_COMPARE_FORMS

ColumnPtr Between(const Column& column, const Scalar& low, const Scalar& high,
                  std::string_view inclusive) {
  CompareOp low_op, high_op;
  if (inclusive == "both") {
    low_op = CompareOp::kGreaterEqual, high_op = CompareOp::kLessEqual;
  } else if (inclusive == "neither") {
    low_op = CompareOp::kGreater, high_op = CompareOp::kLess;
  } else if (inclusive == "left") {
    low_op = CompareOp::kGreaterEqual, high_op = CompareOp::kLess;
  } else if (inclusive == "right") {
    low_op = CompareOp::kGreater, high_op = CompareOp::kLessEqual;
  } else {
    throw InvalidArgument("Between: inclusive must be one of \"both\", \"neither\", \"left\" or "
                          "\"right\", got \"" + std::string(inclusive) + "\"");
  }
  const int64_t length = column.length();
  internal::MutableBuffer values = internal::AllocateValues<uint8_t>(length);
  std::vector<uint8_t> upper(static_cast<size_t>(length));
  CompareScalarInto(low_op, column, low, values->mutable_data());
  CompareScalarInto(high_op, column, high, upper.data());
  uint8_t* out = values->mutable_data();
  for (int64_t i = 0; i < length; ++i) out[i] &= upper[size_t(i)];
  return FinishMask(std::move(values), length);
}

ColumnPtr IsIn(const Column& column, const std::vector<Scalar>& values) {
  const int64_t length = column.length();
  const DataType type = column.type();
  internal::MutableBuffer result = internal::AllocateValues<uint8_t>(length);
  uint8_t* out = result->mutable_data();
  bool match_missing = false;
  for (const Scalar& value : values) {
    match_missing = match_missing || value.is_null() ||
                    (value.type().is_floating() && std::isnan(value.as_double()));
  }
  if (IsTextual(type)) {
    std::unordered_set<std::string_view> members;
    for (const Scalar& value : values) {
      if (value.is_valid() && value.type().id() == TypeId::kString) members.insert(value.as_string());
    }
    const Column& strings = type.id() == TypeId::kString ? column : *column.dictionary();
    std::vector<uint8_t> per_category;
    uint8_t* target = out;
    if (type.id() == TypeId::kCategorical) {
      per_category.resize(size_t(strings.length()));
      target = per_category.data();
    }
    for (int64_t i = 0; i < strings.length(); ++i) target[i] = members.count(strings.GetString(i)) > 0;
    if (type.id() == TypeId::kCategorical) {
      const int32_t* codes = column.values<int32_t>();
      const uint32_t num_categories = uint32_t(per_category.size());
      for (int64_t i = 0; i < length; ++i) {
        out[i] = uint32_t(codes[i]) < num_categories ? per_category[size_t(codes[i])] : 0;
      }
    }
  } else {
    VisitFixedWidth(type, [&](auto tag) {
      using T = decltype(tag);
      std::vector<T> members;
      for (const Scalar& value : values) {
        T member{};
        if (value.is_valid() && MemberValue<T>(type, value, &member)) members.push_back(member);
      }
      std::sort(members.begin(), members.end());
      members.erase(std::unique(members.begin(), members.end()), members.end());
      const T* in = column.values<T>();
      if (members.size() <= 8) {
        for (int64_t i = 0; i < length; ++i) {
          bool found = false;
          for (const T member : members) found |= in[i] == member;
          out[i] = found;
        }
      } else {
        for (int64_t i = 0; i < length; ++i) {
          out[i] = std::binary_search(members.begin(), members.end(), in[i]);
        }
      }
      if constexpr (std::is_floating_point_v<T>) {
        for (int64_t i = 0; i < length; ++i) {
          if (std::isnan(in[i])) out[i] = match_missing;
        }
      }
    });
  }
  internal::ForEachNull(column, [&](int64_t i) { out[i] = match_missing; });
  return FinishMask(std::move(result), length);
}

}  // namespace tessera::compute
