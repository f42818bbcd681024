// ColumnExpr: construction, hashing, printing, and the table of functions evaluation calls.
#include "tessera/expr/column_expr.hpp"

#include <cmath>
#include <functional>
#include <map>
#include <variant>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/boolean.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/string.hpp"

namespace tessera::expr {

namespace {

using compute::Scalar;
// An evaluated argument: a column, or a literal left as a scalar so kernels broadcast it.
using Operand = std::variant<ColumnPtr, Scalar>;
using Function = ColumnPtr (*)(const std::vector<Operand>& args, const CallParams& params);

const Column& ColumnArg(const std::vector<Operand>& args, size_t i, const char* function) {
  if (i >= args.size() || !std::holds_alternative<ColumnPtr>(args[i])) {
    throw InvalidArgument(std::string(function) + " needs a column as argument " + std::to_string(i + 1));
  }
  return *std::get<ColumnPtr>(args[i]);
}

const Scalar& ScalarArg(const std::vector<Operand>& args, size_t i, const char* function) {
  if (i >= args.size() || !std::holds_alternative<Scalar>(args[i])) {
    throw InvalidArgument(std::string(function) + " needs a constant as argument " + std::to_string(i + 1));
  }
  return std::get<Scalar>(args[i]);
}

template <compute::ArithmeticOp Op>
ColumnPtr ArithmeticFunction(const std::vector<Operand>& args, const CallParams&) {
  const auto* a = std::get_if<ColumnPtr>(&args[0]);
  const auto* b = std::get_if<ColumnPtr>(&args[1]);
  if (a && b) return compute::Arithmetic(Op, **a, **b);
  if (a) return compute::Arithmetic(Op, **a, std::get<Scalar>(args[1]));
  if (b) return compute::Arithmetic(Op, std::get<Scalar>(args[0]), **b);
  throw InvalidArgument("arithmetic between two constants has no rows to broadcast to");
}

template <compute::CompareOp Op>
ColumnPtr CompareFunction(const std::vector<Operand>& args, const CallParams&) {
  const auto* a = std::get_if<ColumnPtr>(&args[0]);
  const auto* b = std::get_if<ColumnPtr>(&args[1]);
  if (a && b) return compute::Compare(Op, **a, **b);
  if (a) return compute::Compare(Op, **a, std::get<Scalar>(args[1]));
  if (b) return compute::Compare(Op, std::get<Scalar>(args[0]), **b);
  throw InvalidArgument("comparison between two constants has no rows to broadcast to");
}

template <ColumnPtr (*ColumnColumn)(const Column&, const Column&),
          ColumnPtr (*ColumnScalar)(const Column&, const Scalar&)>
ColumnPtr LogicalFunction(const std::vector<Operand>& args, const CallParams&) {
  const auto* a = std::get_if<ColumnPtr>(&args[0]);
  const auto* b = std::get_if<ColumnPtr>(&args[1]);
  if (a && b) return ColumnColumn(**a, **b);
  if (a) return ColumnScalar(**a, std::get<Scalar>(args[1]));
  if (b) return ColumnScalar(**b, std::get<Scalar>(args[0]));  // symmetric
  throw InvalidArgument("a logical operator between two constants has no rows to broadcast to");
}

template <ColumnPtr (*Kernel)(const Column&)>
ColumnPtr UnaryFunction(const std::vector<Operand>& args, const CallParams&) {
  return Kernel(ColumnArg(args, 0, "unary function"));
}

ColumnPtr DateOf(const Column& column) { return compute::Date(column); }
ColumnPtr NotOf(const Column& column) { return compute::Not(column); }

const std::map<std::string, Function, std::less<>>& Functions() {
  using compute::ArithmeticOp;
  using compute::CompareOp;
  static const std::map<std::string, Function, std::less<>> functions = {
      {"add", &ArithmeticFunction<ArithmeticOp::kAdd>},
      {"sub", &ArithmeticFunction<ArithmeticOp::kSubtract>},
      {"mul", &ArithmeticFunction<ArithmeticOp::kMultiply>},
      {"truediv", &ArithmeticFunction<ArithmeticOp::kDivide>},
      {"floordiv", &ArithmeticFunction<ArithmeticOp::kFloorDivide>},
      {"mod", &ArithmeticFunction<ArithmeticOp::kModulo>},
      {"pow", &ArithmeticFunction<ArithmeticOp::kPower>},
      {"eq", &CompareFunction<CompareOp::kEqual>},
      {"ne", &CompareFunction<CompareOp::kNotEqual>},
      {"lt", &CompareFunction<CompareOp::kLess>},
      {"le", &CompareFunction<CompareOp::kLessEqual>},
      {"gt", &CompareFunction<CompareOp::kGreater>},
      {"ge", &CompareFunction<CompareOp::kGreaterEqual>},
      {"and", &LogicalFunction<compute::And, compute::And>},
      {"or", &LogicalFunction<compute::Or, compute::Or>},
      {"xor", &LogicalFunction<compute::Xor, compute::Xor>},
      {"invert", &UnaryFunction<NotOf>},
      {"neg", &UnaryFunction<compute::Negate>},
      {"abs", &UnaryFunction<compute::Abs>},
      {"isnull", &UnaryFunction<compute::IsNull>},
      {"notnull", &UnaryFunction<compute::NotNull>},
      {"fillna",
       [](const std::vector<Operand>& args, const CallParams&) {
         return compute::FillNull(ColumnArg(args, 0, "fillna"), ScalarArg(args, 1, "fillna"));
       }},
      {"astype",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Cast(ColumnArg(args, 0, "astype"), ParseDataType(params.strings.at(0)));
       }},
      {"where",
       [](const std::vector<Operand>& args, const CallParams&) {
         const Column& condition = ColumnArg(args, 0, "where");
         const Column& x = ColumnArg(args, 1, "where");
         if (const auto* other = std::get_if<ColumnPtr>(&args[2])) return compute::Where(condition, x, **other);
         return compute::Where(condition, x, std::get<Scalar>(args[2]));
       }},
      {"between",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Between(ColumnArg(args, 0, "between"), ScalarArg(args, 1, "between"),
                                 ScalarArg(args, 2, "between"), params.strings.at(0));
       }},
      {"isin",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::IsIn(ColumnArg(args, 0, "isin"), params.scalars);
       }},
      {"clip",
       [](const std::vector<Operand>& args, const CallParams&) {
         return compute::Clip(ColumnArg(args, 0, "clip"), ScalarArg(args, 1, "clip"), ScalarArg(args, 2, "clip"));
       }},
      {"round",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Round(ColumnArg(args, 0, "round"), int(params.ints.at(0)));
       }},
      {"dt.year", &UnaryFunction<compute::Year>},
      {"dt.month", &UnaryFunction<compute::Month>},
      {"dt.day", &UnaryFunction<compute::Day>},
      {"dt.hour", &UnaryFunction<compute::Hour>},
      {"dt.minute", &UnaryFunction<compute::Minute>},
      {"dt.second", &UnaryFunction<compute::Second>},
      {"dt.dayofweek", &UnaryFunction<compute::DayOfWeek>},
      {"dt.dayofyear", &UnaryFunction<compute::DayOfYear>},
      {"dt.date", &UnaryFunction<DateOf>},
      {"dt.normalize", &UnaryFunction<compute::Normalize>},
      {"dt.month_start", &UnaryFunction<compute::MonthStart>},
      {"dt.month_end", &UnaryFunction<compute::MonthEnd>},
      {"dt.week_end", &UnaryFunction<compute::WeekEnd>},
      {"dt.floor",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Floor(ColumnArg(args, 0, "dt.floor"), params.strings.at(0));
       }},
      {"dt.ceil",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Ceil(ColumnArg(args, 0, "dt.ceil"), params.strings.at(0));
       }},
      {"dt.round",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Round(ColumnArg(args, 0, "dt.round"), std::string_view(params.strings.at(0)));
       }},
      {"str.len", &UnaryFunction<compute::Length>},
      {"str.lower", &UnaryFunction<compute::Lower>},
      {"str.upper", &UnaryFunction<compute::Upper>},
      {"str.strip", &UnaryFunction<compute::Strip>},
      {"str.lstrip", &UnaryFunction<compute::LStrip>},
      {"str.rstrip", &UnaryFunction<compute::RStrip>},
      {"str.contains",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Contains(ColumnArg(args, 0, "str.contains"), params.strings.at(0), params.ints.at(0) != 0);
       }},
      {"str.startswith",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::StartsWith(ColumnArg(args, 0, "str.startswith"), params.strings.at(0));
       }},
      {"str.endswith",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::EndsWith(ColumnArg(args, 0, "str.endswith"), params.strings.at(0));
       }},
      {"str.slice",
       [](const std::vector<Operand>& args, const CallParams& params) {
         // ints: has_start, start, has_stop, stop
         std::optional<int64_t> start, stop;
         if (params.ints.at(0)) start = params.ints.at(1);
         if (params.ints.at(2)) stop = params.ints.at(3);
         return compute::Slice(ColumnArg(args, 0, "str.slice"), start, stop);
       }},
      {"str.replace",
       [](const std::vector<Operand>& args, const CallParams& params) {
         return compute::Replace(ColumnArg(args, 0, "str.replace"), params.strings.at(0), params.strings.at(1));
       }},
  };
  return functions;
}

const char* InfixSymbol(const std::string& function) {
  static const std::map<std::string, const char*, std::less<>> symbols = {
      {"add", "+"}, {"sub", "-"},  {"mul", "*"}, {"truediv", "/"}, {"floordiv", "//"}, {"mod", "%"},
      {"pow", "**"}, {"eq", "=="}, {"ne", "!="}, {"lt", "<"},       {"le", "<="},       {"gt", ">"},
      {"ge", ">="}, {"and", "&"},  {"or", "|"},  {"xor", "^"}};
  auto it = symbols.find(function);
  return it == symbols.end() ? nullptr : it->second;
}

uint64_t HashScalar(const Scalar& scalar, uint64_t seed) {
  return HashText(scalar.type().ToString() + ":" + (scalar.is_null() ? "<null>" : scalar.ToString()), seed);
}

}  // namespace

ColumnExprPtr ColumnExpr::Column(std::string name) {
  auto expr = std::shared_ptr<ColumnExpr>(new ColumnExpr());
  expr->kind_ = Kind::kColumn;
  expr->hash_ = HashText(name, 0x636f6c);
  expr->name_ = std::move(name);
  return expr;
}

ColumnExprPtr ColumnExpr::Index() {
  auto expr = std::shared_ptr<ColumnExpr>(new ColumnExpr());
  expr->kind_ = Kind::kIndex;
  expr->hash_ = 0x696e646578;
  return expr;
}

ColumnExprPtr ColumnExpr::Literal(compute::Scalar value) {
  auto expr = std::shared_ptr<ColumnExpr>(new ColumnExpr());
  expr->kind_ = Kind::kLiteral;
  expr->hash_ = HashScalar(value, 0x6c6974);
  expr->literal_ = std::move(value);
  return expr;
}

ColumnExprPtr ColumnExpr::Call(std::string function, std::vector<ColumnExprPtr> args, CallParams params) {
  if (Functions().count(function) == 0) {
    throw InvalidArgument("unknown column function '" + function + "'");
  }
  auto expr = std::shared_ptr<ColumnExpr>(new ColumnExpr());
  expr->kind_ = Kind::kCall;
  uint64_t hash = HashText(function, 0x63616c6c);
  for (const auto& arg : args) hash = HashCombine(hash, arg->hash());
  for (const auto& text : params.strings) hash = HashText(text, hash);
  for (int64_t value : params.ints) hash = HashCombine(hash, uint64_t(value));
  for (const auto& scalar : params.scalars) hash = HashScalar(scalar, hash);
  expr->hash_ = hash;
  expr->name_ = std::move(function);
  expr->args_ = std::move(args);
  expr->params_ = std::move(params);
  return expr;
}

namespace {

Operand EvaluateOperand(const ColumnExpr& expr, const Table& table) {
  if (expr.kind() == ColumnExpr::Kind::kLiteral) return expr.literal();
  return expr.Evaluate(table);
}

}  // namespace

ColumnPtr ColumnExpr::Evaluate(const Table& table) const {
  switch (kind_) {
    case Kind::kColumn:
      return table.column(name_);
    case Kind::kIndex:
      if (!table.has_index()) {
        throw InvalidArgument("the frame has no index column; call set_index first");
      }
      return table.index();
    case Kind::kLiteral: {
      // A constant on its own: compare an all-valid row count column against nothing is not
      // possible, so build it by filling an all-null column of the literal's type.
      std::vector<int64_t> none(size_t(table.num_rows()), -1);
      auto empty = Table::MakeEmpty(Schema({Field{"v", literal_.type()}}));
      return compute::FillNull(*compute::Take(*empty->column(0), none), literal_);
    }
    case Kind::kCall: {
      std::vector<Operand> operands;
      operands.reserve(args_.size());
      for (const auto& arg : args_) operands.push_back(EvaluateOperand(*arg, table));
      return Functions().find(name_)->second(operands, params_);
    }
  }
  throw Internal("unknown expression kind");
}

void ColumnExpr::CollectColumns(std::set<std::string>* columns) const {
  if (kind_ == Kind::kColumn) columns->insert(name_);
  for (const auto& arg : args_) arg->CollectColumns(columns);
}

bool ColumnExpr::ReadsIndex() const {
  if (kind_ == Kind::kIndex) return true;
  for (const auto& arg : args_) {
    if (arg->ReadsIndex()) return true;
  }
  return false;
}

std::string ColumnExpr::ToString() const {
  switch (kind_) {
    case Kind::kColumn: return name_;
    case Kind::kIndex: return "index";
    case Kind::kLiteral:
      return literal_.type() == types::String() && literal_.is_valid() ? "'" + literal_.as_string() + "'"
                                                                        : literal_.ToString();
    case Kind::kCall: break;
  }
  if (const char* symbol = InfixSymbol(name_); symbol != nullptr && args_.size() == 2) {
    // Appended piece by piece: g++ 12 at -O3 misreports operator+ chains here (-Wrestrict).
    std::string text(1, '(');
    text.append(args_[0]->ToString()).append(1, ' ').append(symbol).append(1, ' ');
    text.append(args_[1]->ToString()).append(1, ')');
    return text;
  }
  std::string text = name_ + "(";
  for (size_t i = 0; i < args_.size(); ++i) text += (i ? ", " : "") + args_[i]->ToString();
  for (const auto& s : params_.strings) text += ", '" + s + "'";
  for (int64_t v : params_.ints) text += ", " + std::to_string(v);
  for (const auto& s : params_.scalars) text += ", " + s.ToString();
  return text + ")";
}

std::vector<std::string> ColumnExpr::RegisteredFunctions() {
  std::vector<std::string> names;
  for (const auto& [name, function] : Functions()) names.push_back(name);
  return names;
}

uint64_t HashText(std::string_view text, uint64_t seed) { return HashBytes(text.data(), text.size(), seed); }

}  // namespace tessera::expr
