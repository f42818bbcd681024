#include "tessera/compute/arithmetic.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/compute/type_promotion.hpp"

namespace tessera::compute {

namespace {

using internal::AllocateValues;

// Integer arithmetic runs in an unsigned type at least as wide as int, where overflow wraps
// (NumPy's behaviour) instead of being undefined.
template <typename T>
using Wrapping = std::make_unsigned_t<std::common_type_t<T, unsigned>>;

struct AddOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return T(Wrapping<T>(a) + Wrapping<T>(b));
    } else {
      return a + b;
    }
  }
};

struct SubtractOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return T(Wrapping<T>(a) - Wrapping<T>(b));
    } else {
      return a - b;
    }
  }
};

struct MultiplyOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return T(Wrapping<T>(a) * Wrapping<T>(b));
    } else {
      return a * b;
    }
  }
};

struct DivideOp {
  template <typename T>
  static T Call(T a, T b) {
    return a / b;
  }
};

// NumPy's float floor division: the quotient of (a - fmod(a, b)) / b, corrected so that it
// agrees with the sign rule of the modulo and is exact where the naive floor(a / b) is not.
template <typename T>
T FloatFloorDivide(T a, T b) {
  if (b == 0) return a / b;
  const T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
  if (div == 0) return std::copysign(T(0), a / b);
  T floor_div = std::floor(div);
  if (div - floor_div > T(0.5)) floor_div += T(1);
  return floor_div;
}

template <typename T>
T FloatModulo(T a, T b) {
  T mod = std::fmod(a, b);
  if (b == 0) return mod;  // NaN
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(T(0), b);
  }
  return mod;
}

// Integer division by zero yields 0 here (null rows and the pandas fallback rely on it never
// trapping); x // -1 is a negation, so INT_MIN // -1 wraps instead of trapping.
struct FloorDivideOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return FloatFloorDivide(a, b);
    } else if constexpr (std::is_signed_v<T>) {
      if (b == 0) return 0;
      if (b == -1) return T(Wrapping<T>(0) - Wrapping<T>(a));
      const T quotient = T(a / b);
      return T(quotient - T((a % b != 0) && ((a < 0) != (b < 0))));
    } else {
      return b == 0 ? T(0) : T(a / b);
    }
  }
};

struct ModuloOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return FloatModulo(a, b);
    } else if constexpr (std::is_signed_v<T>) {
      if (b == 0 || b == -1) return 0;
      T remainder = T(a % b);
      if (remainder != 0 && ((remainder < 0) != (b < 0))) remainder = T(remainder + b);
      return remainder;
    } else {
      return b == 0 ? T(0) : T(a % b);
    }
  }
};

struct PowerOp {
  template <typename T>
  static T Call(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {
      // Negative exponents were rejected for valid rows; null rows may hold anything.
      if constexpr (std::is_signed_v<T>) {
        if (b < 0) return 0;
      }
      Wrapping<T> result = 1;
      Wrapping<T> base = Wrapping<T>(a);
      auto exponent = std::make_unsigned_t<T>(b);
      while (exponent != 0) {
        if (exponent & 1) result *= base;
        base *= base;
        exponent >>= 1;
      }
      return T(result);
    }
  }
};

// One loop per (operator, type, operand shape); a scalar operand is read once into a register.
template <typename Op, bool kScalarA, bool kScalarB, typename T>
void BinaryLoop(const T* __restrict a, const T* __restrict b, T* __restrict out, int64_t length) {
  const T scalar_a = kScalarA ? a[0] : T{};
  const T scalar_b = kScalarB ? b[0] : T{};
  for (int64_t i = 0; i < length; ++i) {
    out[i] = Op::Call(kScalarA ? scalar_a : a[i], kScalarB ? scalar_b : b[i]);
  }
}

template <typename Op, typename T>
void RunShape(const T* a, bool scalar_a, const T* b, bool scalar_b, T* out, int64_t length) {
  if (scalar_a) {
    BinaryLoop<Op, true, false>(a, b, out, length);
  } else if (scalar_b) {
    BinaryLoop<Op, false, true>(a, b, out, length);
  } else {
    BinaryLoop<Op, false, false>(a, b, out, length);
  }
}

template <typename T>
void RunOp(ArithmeticOp op, const T* a, bool scalar_a, const T* b, bool scalar_b, T* out,
           int64_t length) {
  switch (op) {
    case ArithmeticOp::kAdd: return RunShape<AddOp>(a, scalar_a, b, scalar_b, out, length);
    case ArithmeticOp::kSubtract:
      return RunShape<SubtractOp>(a, scalar_a, b, scalar_b, out, length);
    case ArithmeticOp::kMultiply:
      return RunShape<MultiplyOp>(a, scalar_a, b, scalar_b, out, length);
    case ArithmeticOp::kDivide:
      // Integer inputs are divided as float64, so only float types reach here.
      if constexpr (std::is_floating_point_v<T>) {
        return RunShape<DivideOp>(a, scalar_a, b, scalar_b, out, length);
      }
      throw Internal("integer true division reached the integer loop");
    case ArithmeticOp::kFloorDivide:
      return RunShape<FloorDivideOp>(a, scalar_a, b, scalar_b, out, length);
    case ArithmeticOp::kModulo: return RunShape<ModuloOp>(a, scalar_a, b, scalar_b, out, length);
    case ArithmeticOp::kPower: return RunShape<PowerOp>(a, scalar_a, b, scalar_b, out, length);
  }
}

// An operand: a column, or a scalar standing for every row.
struct Operand {
  const Column* column = nullptr;
  const Scalar* scalar = nullptr;
  ColumnPtr owner;  // keeps a converted column alive
  DataType type() const { return column ? column->type() : scalar->type(); }
};

// The column itself when it already has `type`, else a converted copy held by `owner`.
const Column* ConvertTo(const Column* column, DataType type, ColumnPtr* owner) {
  if (column == nullptr || column->type() == type) return column;
  *owner = Cast(*column, type);
  return owner->get();
}

template <typename T>
bool HasZeroDivisor(const T* divisor, bool scalar, const uint8_t* validity, int64_t length) {
  if (length == 0) return false;
  if (scalar) return divisor[0] == 0;
  bool zero = false;
  if (validity == nullptr) {
    for (int64_t i = 0; i < length; ++i) zero |= divisor[i] == 0;
  } else {
    for (int64_t i = 0; i < length; ++i) zero |= (divisor[i] == 0) & bits::GetBit(validity, i);
  }
  return zero;
}

template <typename T>
void CheckNonNegativeExponent(const T* exponent, bool scalar, const uint8_t* validity,
                              int64_t length) {
  if constexpr (std::is_signed_v<T>) {
    for (int64_t i = 0; i < (scalar ? std::min<int64_t>(length, 1) : length); ++i) {
      if (exponent[i] < 0 && (scalar || validity == nullptr || bits::GetBit(validity, i))) {
        throw InvalidArgument(
            "integers to negative integer powers are not allowed (" +
            (scalar ? std::string("exponent ") : "row " + std::to_string(i) + " has exponent ") +
            std::to_string(int64_t(exponent[i])) + "); cast the base to float64 first");
      }
    }
  }
}

// pandas' integer // 0 and % 0: the exact integer result where the divisor is not zero, and
// inf/-inf/NaN where it is, all as float64.
template <typename Op, typename T>
ColumnPtr IntegerDivisionByZero(bool floor_divide, const T* a, bool scalar_a, const T* b,
                                bool scalar_b, int64_t length, BufferPtr validity,
                                int64_t null_count) {
  // A rare path: scalars are simply repeated into arrays.
  std::vector<T> repeated_a(scalar_a ? size_t(length) : 0, scalar_a ? a[0] : T{});
  std::vector<T> repeated_b(scalar_b ? size_t(length) : 0, scalar_b ? b[0] : T{});
  if (scalar_a) a = repeated_a.data();
  if (scalar_b) b = repeated_b.data();
  internal::MutableBuffer values = AllocateValues<double>(length);
  double* out = values->mutable_data_as<double>();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (int64_t i = 0; i < length; ++i) {
    if (b[i] != 0) {
      out[i] = double(Op::Call(a[i], b[i]));
    } else if (floor_divide) {
      out[i] = a[i] > 0 ? kInf : (std::is_signed_v<T> && a[i] != 0 ? -kInf : kNaN);
    } else {
      out[i] = kNaN;
    }
  }
  internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, kNaN);
  return Column::Make(types::Float64(), length, std::move(values), std::move(validity),
                      null_count);
}

ColumnPtr NumericArithmetic(ArithmeticOp op, const Operand& a, const Operand& b, int64_t length) {
  DataType compute;
  if (a.column && b.column) {
    compute = PromoteNumeric(a.type(), b.type());
  } else if (a.column) {
    compute = PromoteWithScalar(a.type(), *b.scalar);
  } else {
    compute = PromoteWithScalar(b.type(), *a.scalar);
  }
  if (compute.id() == TypeId::kBool) compute = types::Int64();
  if (op == ArithmeticOp::kDivide && !compute.is_floating()) compute = types::Float64();
  if ((a.scalar && a.scalar->is_null()) || (b.scalar && b.scalar->is_null())) {
    return internal::MakeAllNull(compute, length);
  }
  ColumnPtr owner_a, owner_b;
  const Column* column_a = ConvertTo(a.column, compute, &owner_a);
  const Column* column_b = ConvertTo(b.column, compute, &owner_b);
  int64_t null_count = 0;
  BufferPtr validity;
  if (column_a && column_b) {
    validity = internal::IntersectValidity(*column_a, *column_b, &null_count);
  } else {
    const Column& column = column_a ? *column_a : *column_b;
    validity = internal::RebasedValidity(column);
    null_count = column.null_count();
  }
  const uint8_t* validity_bits = validity ? validity->data() : nullptr;

  return VisitFixedWidth(compute, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    const T value_a = a.scalar ? internal::ScalarValueAs<T>(*a.scalar) : T{};
    const T value_b = b.scalar ? internal::ScalarValueAs<T>(*b.scalar) : T{};
    const T* data_a = column_a ? column_a->values<T>() : &value_a;
    const T* data_b = column_b ? column_b->values<T>() : &value_b;
    const bool scalar_a = column_a == nullptr;
    const bool scalar_b = column_b == nullptr;
    if constexpr (std::is_integral_v<T>) {
      if (op == ArithmeticOp::kPower) {
        CheckNonNegativeExponent(data_b, scalar_b, validity_bits, length);
      }
      if ((op == ArithmeticOp::kFloorDivide || op == ArithmeticOp::kModulo) &&
          HasZeroDivisor(data_b, scalar_b, validity_bits, length)) {
        if (op == ArithmeticOp::kFloorDivide) {
          return IntegerDivisionByZero<FloorDivideOp>(true, data_a, scalar_a, data_b, scalar_b,
                                                      length, validity, null_count);
        }
        return IntegerDivisionByZero<ModuloOp>(false, data_a, scalar_a, data_b, scalar_b, length,
                                               validity, null_count);
      }
    }
    internal::MutableBuffer values = AllocateValues<T>(length);
    T* out = values->mutable_data_as<T>();
    if (length > 0) RunOp<T>(op, data_a, scalar_a, data_b, scalar_b, out, length);
    if constexpr (std::is_floating_point_v<T>) {
      internal::FillNullSlots(out, validity_bits, length, std::numeric_limits<T>::quiet_NaN());
    }
    return Column::Make(compute, length, std::move(values), std::move(validity), null_count);
  });
}

[[noreturn]] void ThrowUnsupported(ArithmeticOp op, DataType a, DataType b) {
  std::string hint;
  if ((a.is_temporal() && b.is_numeric()) || (a.is_numeric() && b.is_temporal())) {
    hint = "; cast the number to timedelta64[ns] (nanoseconds) first";
  } else if (a.id() == TypeId::kString || b.id() == TypeId::kString ||
             a.id() == TypeId::kCategorical || b.id() == TypeId::kCategorical) {
    hint = "; cast text to a number first";
  }
  throw TypeError(std::string("unsupported operand types for ") + ArithmeticOpSymbol(op) + ": " +
                  a.ToString() + " and " + b.ToString() + hint);
}

// Temporal values are int64 counts of their unit: bring both operands to the finer unit (as
// pandas does), map each to int64, compute, and give the result its temporal type.
Operand AsInt64(const Operand& operand, TimeUnit unit, Scalar* storage) {
  const DataType type = operand.type();
  if (operand.column) {
    Operand result;
    if (type.is_integer()) {
      result.owner = Cast(*operand.column, types::Int64());
    } else {
      result.owner = Reinterpret(*(type.unit() == unit ? operand.column->Slice(0, operand.column->length())
                                                        : CastTimeUnit(*operand.column, unit)),
                                 types::Int64());
    }
    result.column = result.owner.get();
    return result;
  }
  if (operand.scalar->is_null()) {
    *storage = Scalar::Null(types::Int64());
  } else if (type.has_unit()) {
    int64_t value = 0;
    if (!ConvertTicks(operand.scalar->as_int64(), type.unit(), unit, &value)) {
      throw InvalidArgument(operand.scalar->ToString() + " is out of bounds for " +
                            DataType(type.id(), unit).ToString() + "; use a coarser unit for the column");
    }
    *storage = Scalar::Int64(value);
  } else {
    *storage = Scalar::Int64(int64_t(internal::IntegerScalarValue(*operand.scalar)));
  }
  Operand result;
  result.scalar = storage;
  return result;
}

ColumnPtr TemporalArithmetic(ArithmeticOp op, const Operand& a, const Operand& b,
                             int64_t length) {
  const TypeId x = a.type().id();
  const TypeId y = b.type().id();
  constexpr TypeId kTs = TypeId::kTimestamp;
  constexpr TypeId kDur = TypeId::kDuration;
  const bool x_int = a.type().is_integer();
  const bool y_int = b.type().is_integer();
  TimeUnit unit = TimeUnit::kSecond;
  if (a.type().has_unit()) unit = FinerUnit(unit, a.type().unit());
  if (b.type().has_unit()) unit = FinerUnit(unit, b.type().unit());
  const DataType timestamp = types::Timestamp(unit);
  const DataType duration = types::Duration(unit);
  DataType result;
  bool int64_result = false;  // the numeric result is already the answer (//, /)
  switch (op) {
    case ArithmeticOp::kAdd:
      if ((x == kTs && y == kDur) || (x == kDur && y == kTs)) {
        result = timestamp;
      } else if (x == kDur && y == kDur) {
        result = duration;
      } else {
        ThrowUnsupported(op, a.type(), b.type());
      }
      break;
    case ArithmeticOp::kSubtract:
      if (x == kTs && y == kTs) {
        result = duration;
      } else if (x == kTs && y == kDur) {
        result = timestamp;
      } else if (x == kDur && y == kDur) {
        result = duration;
      } else {
        ThrowUnsupported(op, a.type(), b.type());
      }
      break;
    case ArithmeticOp::kMultiply:
      if (!((x == kDur && y_int) || (x_int && y == kDur))) ThrowUnsupported(op, a.type(), b.type());
      result = duration;
      break;
    case ArithmeticOp::kDivide:
    case ArithmeticOp::kFloorDivide:
      if (!(x == kDur && y == kDur)) ThrowUnsupported(op, a.type(), b.type());
      int64_result = true;
      break;
    default: ThrowUnsupported(op, a.type(), b.type());
  }
  Scalar storage_a = Scalar::Null(types::Int64());
  Scalar storage_b = Scalar::Null(types::Int64());
  ColumnPtr numeric =
      NumericArithmetic(op, AsInt64(a, unit, &storage_a), AsInt64(b, unit, &storage_b), length);
  return int64_result ? numeric : Reinterpret(*numeric, result);
}

ColumnPtr Dispatch(ArithmeticOp op, const Operand& a, const Operand& b) {
  if (a.column && b.column) {
    internal::CheckSameLength(*a.column, *b.column, ArithmeticOpSymbol(op));
  }
  const int64_t length = a.column ? a.column->length() : b.column->length();
  if (a.type().is_temporal() || b.type().is_temporal()) {
    return TemporalArithmetic(op, a, b, length);
  }
  if (!IsNumericOrBool(a.type()) || !IsNumericOrBool(b.type())) {
    ThrowUnsupported(op, a.type(), b.type());
  }
  return NumericArithmetic(op, a, b, length);
}

template <typename Fn>
ColumnPtr UnaryNumeric(const Column& input, Fn&& fn) {
  return VisitFixedWidth(input.type(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t length = input.length();
    const T* in = input.values<T>();
    internal::MutableBuffer values = AllocateValues<T>(length);
    T* out = values->mutable_data_as<T>();
    for (int64_t i = 0; i < length; ++i) out[i] = fn(in[i]);
    return Column::Make(input.type(), length, std::move(values),
                        internal::RebasedValidity(input), input.null_count());
  });
}

}  // namespace

const char* ArithmeticOpSymbol(ArithmeticOp op) {
  switch (op) {
    case ArithmeticOp::kAdd: return "+";
    case ArithmeticOp::kSubtract: return "-";
    case ArithmeticOp::kMultiply: return "*";
    case ArithmeticOp::kDivide: return "/";
    case ArithmeticOp::kFloorDivide: return "//";
    case ArithmeticOp::kModulo: return "%";
    case ArithmeticOp::kPower: return "**";
  }
  return "?";
}

ColumnPtr Arithmetic(ArithmeticOp op, const Column& a, const Column& b) {
  return Dispatch(op, Operand{&a, nullptr, nullptr}, Operand{&b, nullptr, nullptr});
}

ColumnPtr Arithmetic(ArithmeticOp op, const Column& a, const Scalar& b) {
  return Dispatch(op, Operand{&a, nullptr, nullptr}, Operand{nullptr, &b, nullptr});
}

ColumnPtr Arithmetic(ArithmeticOp op, const Scalar& a, const Column& b) {
  return Dispatch(op, Operand{nullptr, &a, nullptr}, Operand{&b, nullptr, nullptr});
}

#define TESSERA_ARITHMETIC_FORMS(Name, Op)                                                   \
  ColumnPtr Name(const Column& a, const Column& b) { return Arithmetic(Op, a, b); }   \
  ColumnPtr Name(const Column& a, const Scalar& b) { return Arithmetic(Op, a, b); }   \
  ColumnPtr Name(const Scalar& a, const Column& b) { return Arithmetic(Op, a, b); }

TESSERA_ARITHMETIC_FORMS(Add, ArithmeticOp::kAdd)
TESSERA_ARITHMETIC_FORMS(Subtract, ArithmeticOp::kSubtract)
TESSERA_ARITHMETIC_FORMS(Multiply, ArithmeticOp::kMultiply)
TESSERA_ARITHMETIC_FORMS(Divide, ArithmeticOp::kDivide)
TESSERA_ARITHMETIC_FORMS(FloorDivide, ArithmeticOp::kFloorDivide)
TESSERA_ARITHMETIC_FORMS(Modulo, ArithmeticOp::kModulo)
TESSERA_ARITHMETIC_FORMS(Power, ArithmeticOp::kPower)

#undef TESSERA_ARITHMETIC_FORMS

ColumnPtr Negate(const Column& a) {
  const DataType type = a.type();
  if (type.id() == TypeId::kDuration) {
    return Reinterpret(*Negate(*Reinterpret(a, types::Int64())), type);
  }
  if (type.id() == TypeId::kBool) {
    throw TypeError("cannot negate a bool column with -; use Not (the ~ operator) instead");
  }
  if (!type.is_numeric()) throw TypeError("cannot negate a " + type.ToString() + " column");
  return UnaryNumeric(a, [](auto value) {
    using T = decltype(value);
    if constexpr (std::is_integral_v<T>) {
      return T(Wrapping<T>(0) - Wrapping<T>(value));
    } else {
      return T(-value);
    }
  });
}

ColumnPtr Abs(const Column& a) {
  const DataType type = a.type();
  if (type.id() == TypeId::kDuration) {
    return Reinterpret(*Abs(*Reinterpret(a, types::Int64())), type);
  }
  if (type.id() == TypeId::kBool || type.is_unsigned_integer()) return a.Slice(0, a.length());
  if (!type.is_numeric()) {
    throw TypeError("cannot take the absolute value of a " + type.ToString() + " column");
  }
  return UnaryNumeric(a, [](auto value) {
    using T = decltype(value);
    if constexpr (std::is_signed_v<T> && std::is_integral_v<T>) {
      return value < 0 ? T(Wrapping<T>(0) - Wrapping<T>(value)) : value;
    } else if constexpr (std::is_integral_v<T>) {
      return value;
    } else {
      return std::fabs(value);
    }
  });
}

}  // namespace tessera::compute
