#include "tessera/compute/boolean.hpp"

#include <algorithm>
#include <string>

#include "tessera/base/error.hpp"
#include "tessera/compute/null_propagation.hpp"

namespace tessera::compute {

namespace {

enum class LogicalOp { kAnd, kOr, kXor };

const char* Symbol(LogicalOp op) {
  switch (op) {
    case LogicalOp::kAnd: return "&";
    case LogicalOp::kOr: return "|";
    case LogicalOp::kXor: return "^";
  }
  return "?";
}

void CheckBool(const Column& column, const char* symbol) {
  if (column.type().id() != TypeId::kBool) {
    throw TypeError(std::string("logical '") + symbol + "' needs bool columns, got " +
                    column.type().ToString() + "; compare first (e.g. column > 0) or Cast to bool");
  }
}

// Bytes are normalised with != 0 so any non-zero byte reads as True; the loops vectorise.
template <LogicalOp kOp>
void LogicalLoop(const uint8_t* __restrict a, const uint8_t* __restrict b, bool scalar_b,
                 uint8_t* __restrict out, int64_t length) {
  const bool scalar_value = scalar_b && b[0] != 0;
  for (int64_t i = 0; i < length; ++i) {
    const bool x = a[i] != 0;
    const bool y = scalar_b ? scalar_value : b[i] != 0;
    if constexpr (kOp == LogicalOp::kAnd) {
      out[i] = x & y;
    } else if constexpr (kOp == LogicalOp::kOr) {
      out[i] = x | y;
    } else {
      out[i] = x ^ y;
    }
  }
}

ColumnPtr Logical(LogicalOp op, const Column& a, const Column* b, const Scalar* scalar) {
  CheckBool(a, Symbol(op));
  if (b != nullptr) {
    CheckBool(*b, Symbol(op));
    internal::CheckSameLength(a, *b, Symbol(op));
  } else if (scalar->is_valid() && scalar->type().id() != TypeId::kBool) {
    throw TypeError(std::string("logical '") + Symbol(op) + "' needs a bool scalar, got " +
                    scalar->type().ToString());
  }
  const int64_t length = a.length();
  internal::MutableBuffer values = internal::AllocateValues<uint8_t>(length);
  uint8_t* out = values->mutable_data();
  if (b == nullptr && scalar->is_null()) {
    std::fill_n(out, length, uint8_t(0));
  } else {
    const uint8_t scalar_byte = b == nullptr && scalar->as_bool();
    const uint8_t* right = b != nullptr ? b->values<uint8_t>() : &scalar_byte;
    const bool scalar_b = b == nullptr;
    switch (op) {
      case LogicalOp::kAnd:
        LogicalLoop<LogicalOp::kAnd>(a.values<uint8_t>(), right, scalar_b, out, length);
        break;
      case LogicalOp::kOr:
        LogicalLoop<LogicalOp::kOr>(a.values<uint8_t>(), right, scalar_b, out, length);
        break;
      case LogicalOp::kXor:
        LogicalLoop<LogicalOp::kXor>(a.values<uint8_t>(), right, scalar_b, out, length);
        break;
    }
  }
  // Null rows are False whatever the other side holds.
  internal::ForEachNull(a, [&](int64_t i) { out[i] = 0; });
  if (b != nullptr) internal::ForEachNull(*b, [&](int64_t i) { out[i] = 0; });
  return Column::Make(types::Bool(), length, std::move(values), nullptr, 0);
}

}  // namespace

ColumnPtr And(const Column& a, const Column& b) { return Logical(LogicalOp::kAnd, a, &b, nullptr); }
ColumnPtr And(const Column& a, const Scalar& b) { return Logical(LogicalOp::kAnd, a, nullptr, &b); }
ColumnPtr Or(const Column& a, const Column& b) { return Logical(LogicalOp::kOr, a, &b, nullptr); }
ColumnPtr Or(const Column& a, const Scalar& b) { return Logical(LogicalOp::kOr, a, nullptr, &b); }
ColumnPtr Xor(const Column& a, const Column& b) { return Logical(LogicalOp::kXor, a, &b, nullptr); }
ColumnPtr Xor(const Column& a, const Scalar& b) { return Logical(LogicalOp::kXor, a, nullptr, &b); }

ColumnPtr Not(const Column& a) {
  CheckBool(a, "~");
  const int64_t length = a.length();
  internal::MutableBuffer values = internal::AllocateValues<uint8_t>(length);
  uint8_t* out = values->mutable_data();
  const uint8_t* in = a.values<uint8_t>();
  for (int64_t i = 0; i < length; ++i) out[i] = in[i] == 0;
  internal::ForEachNull(a, [&](int64_t i) { out[i] = 0; });
  return Column::Make(types::Bool(), length, std::move(values), nullptr, 0);
}

}  // namespace tessera::compute
