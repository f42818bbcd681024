// Series, Scalar, operators and the dt / str accessors.
#include <algorithm>
#include <cmath>

#include "tessera/base/error.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/execution.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/rebase.hpp"
#include "tessera/expr/broadcast_node.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/reduction.hpp"

namespace tessera::dataframe {

using expr::ColumnExpr;
using expr::ColumnExprPtr;

// ---------------------------------------------------------------------------------------------
// Scalar

DataType Scalar::dtype() const { return node_->meta()->schema().field(0).type; }

compute::Scalar Scalar::compute(sched::Scheduler& scheduler) const {
  const TablePtr table = execution::Compute({node_}, scheduler)[0];
  return expr::ScalarAt(*table->column(0), 0);
}

double Scalar::compute_double(sched::Scheduler& scheduler) const { return compute(scheduler).ToDouble(); }

std::string Scalar::explain() const { return execution::Explain(node_); }

std::string Scalar::ToString() const { return "tessera.Scalar<" + node_->name() + ", dtype=" + dtype().ToString() + ">"; }

// ---------------------------------------------------------------------------------------------
// Series basics

Series::Series(expr::NodePtr input, ColumnExprPtr expression, std::string name)
    : input_(std::move(input)), expression_(std::move(expression)), name_(std::move(name)) {
  expression_->Evaluate(*input_->meta());  // type errors surface here, as pandas raises them
}

DataType Series::dtype() const { return expression_->Evaluate(*input_->meta())->type(); }

expr::NodePtr Series::node() const {
  const Table& meta = *input_->meta();
  if (expression_->kind() == ColumnExpr::Kind::kColumn && meta.num_columns() == 1 &&
      meta.schema().field(0).name == name_ && expression_->name() == name_) {
    return input_;
  }
  return expr::ProjectNode::Make(input_, {{name_, expression_}});
}

namespace {

Series Unary(const Series& series, const char* function, expr::CallParams params = {}) {
  return Series(series.input(), ColumnExpr::Call(function, {series.expression()}, std::move(params)), series.name());
}

Series Binary(const char* function, const Series& a, const Series& b) {
  auto [input, left, right] = Align(a, b);
  return Series(input, ColumnExpr::Call(function, {left, right}), a.name() == b.name() ? a.name() : "");
}

Series Binary(const char* function, const Series& a, const Literal& b) {
  return Series(a.input(), ColumnExpr::Call(function, {a.expression(), ColumnExpr::Literal(b.scalar())}), a.name());
}

Series Binary(const char* function, const Literal& a, const Series& b) {
  return Series(b.input(), ColumnExpr::Call(function, {ColumnExpr::Literal(a.scalar()), b.expression()}), b.name());
}

Scalar Reduce(const Series& series, expr::ReduceSpec spec, const ReduceOptions& options) {
  spec.column = series.name().empty() ? "0" : series.name();
  const Series named = series.rename(spec.column);
  return Scalar(expr::ReduceNode::Make(named.node(), {spec}, expr::ReduceShape::kScalar, {}, options.split_every));
}

// A Series over a plan node whose output has one column (results of reductions, group-bys).
Series SeriesOf(const expr::NodePtr& node, const std::string& name) {
  return Series(node, ColumnExpr::Column(node->meta()->schema().field(0).name), name);
}

}  // namespace

#define TESSERA_BINARY_OPERATOR(op, function)                                                         \
  Series operator op(const Series& a, const Series& b) { return Binary(function, a, b); }            \
  Series operator op(const Series& a, const Literal& b) { return Binary(function, a, b); }
#define TESSERA_BINARY_OPERATOR_BOTH_SIDES(op, function)                                             \
  TESSERA_BINARY_OPERATOR(op, function)                                                               \
  Series operator op(const Literal& a, const Series& b) { return Binary(function, a, b); }

TESSERA_BINARY_OPERATOR_BOTH_SIDES(+, "add")
TESSERA_BINARY_OPERATOR_BOTH_SIDES(-, "sub")
TESSERA_BINARY_OPERATOR_BOTH_SIDES(*, "mul")
TESSERA_BINARY_OPERATOR_BOTH_SIDES(/, "truediv")
TESSERA_BINARY_OPERATOR_BOTH_SIDES(%, "mod")
TESSERA_BINARY_OPERATOR(==, "eq")
TESSERA_BINARY_OPERATOR(!=, "ne")
TESSERA_BINARY_OPERATOR(<, "lt")
TESSERA_BINARY_OPERATOR(<=, "le")
TESSERA_BINARY_OPERATOR(>, "gt")
TESSERA_BINARY_OPERATOR(>=, "ge")
TESSERA_BINARY_OPERATOR(&, "and")
TESSERA_BINARY_OPERATOR(|, "or")
TESSERA_BINARY_OPERATOR(^, "xor")
#undef TESSERA_BINARY_OPERATOR_BOTH_SIDES
#undef TESSERA_BINARY_OPERATOR

Series floordiv(const Series& a, const Series& b) { return Binary("floordiv", a, b); }
Series floordiv(const Series& a, const Literal& b) { return Binary("floordiv", a, b); }
Series pow(const Series& a, const Series& b) { return Binary("pow", a, b); }
Series pow(const Series& a, const Literal& b) { return Binary("pow", a, b); }
Series operator~(const Series& a) { return Unary(a, "invert"); }
Series operator-(const Series& a) { return Unary(a, "neg"); }

Series Series::astype(const std::string& dtype) const {
  ParseDataType(dtype);  // TypeError naming the options, now rather than at compute()
  return Unary(*this, "astype", {{dtype}, {}, {}});
}
Series Series::isnull() const { return Unary(*this, "isnull"); }
Series Series::notnull() const { return Unary(*this, "notnull"); }
Series Series::fillna(const Literal& value) const { return Binary("fillna", *this, value); }

Series Series::where(const Series& condition, const Literal& other) const {
  auto [input, cond, self] = Align(condition, *this);
  return Series(input, ColumnExpr::Call("where", {cond, self, ColumnExpr::Literal(other.scalar())}), name_);
}

Series Series::where(const Series& condition, const Series& other) const {
  const AlignedSeries aligned = AlignAll({condition, *this, other});
  return Series(aligned.input, ColumnExpr::Call("where", aligned.expressions), name_);
}

Series Series::where(const Series& condition) const {
  return where(condition, Literal(compute::Scalar::Null(dtype())));
}

Series Series::mask(const Series& condition, const Literal& other) const { return where(~condition, other); }
Series Series::mask(const Series& condition) const { return where(~condition); }

Series Series::between(const Literal& low, const Literal& high, const std::string& inclusive) const {
  return Series(input_,
                ColumnExpr::Call("between", {expression_, ColumnExpr::Literal(low.scalar()), ColumnExpr::Literal(high.scalar())},
                                 {{inclusive}, {}, {}}),
                name_);
}

Series Series::isin(const std::vector<Literal>& values) const {
  expr::CallParams params;
  for (const auto& value : values) params.scalars.push_back(value.scalar());
  return Unary(*this, "isin", std::move(params));
}

Series Series::clip(std::optional<Literal> lower, std::optional<Literal> upper) const {
  const auto bound = [](const std::optional<Literal>& value) {
    return ColumnExpr::Literal(value ? value->scalar() : compute::Scalar::Null(types::Float64()));
  };
  return Series(input_, ColumnExpr::Call("clip", {expression_, bound(lower), bound(upper)}), name_);
}

Series Series::abs() const { return Unary(*this, "abs"); }
Series Series::round(int decimals) const { return Unary(*this, "round", {{}, {decimals}, {}}); }
DatetimeAccessor Series::dt() const { return DatetimeAccessor(*this); }
StringAccessor Series::str() const { return StringAccessor(*this); }

Series Series::operator[](const Series& mask) const {
  auto [input, condition, self] = Align(mask, *this);
  return Series(expr::FilterNode::Make(input, condition), self, name_);
}

// ---------------------------------------------------------------------------------------------
// Reductions

using expr::ReduceFunction;

Scalar Series::sum(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kSum}, options); }
Scalar Series::mean(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kMean}, options); }
Scalar Series::count(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kCount}, options); }
Scalar Series::min(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kMin}, options); }
Scalar Series::max(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kMax}, options); }
Scalar Series::var(int ddof, ReduceOptions options) const {
  return Reduce(*this, {"", ReduceFunction::kVar, ddof}, options);
}
Scalar Series::std(int ddof, ReduceOptions options) const {
  return Reduce(*this, {"", ReduceFunction::kStd, ddof}, options);
}
Scalar Series::nunique(bool dropna, ReduceOptions options) const {
  return Reduce(*this, {"", ReduceFunction::kNUnique, 1, 0.5, dropna}, options);
}
Scalar Series::any(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kAny}, options); }
Scalar Series::all(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kAll}, options); }
Scalar Series::idxmin(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kIdxMin}, options); }
Scalar Series::idxmax(ReduceOptions options) const { return Reduce(*this, {"", ReduceFunction::kIdxMax}, options); }
Scalar Series::quantile(double q, ReduceOptions options) const {
  if (!(q >= 0 && q <= 1)) throw InvalidArgument("quantile q must be between 0 and 1, got " + std::to_string(q));
  return Reduce(*this, {"", ReduceFunction::kQuantile, 1, q}, options);
}
Scalar Series::size() const { return Reduce(*this, {"", ReduceFunction::kSize}, {}); }

Series Series::describe() const { return SeriesOf(to_frame().describe().node(), name_); }

Series Series::value_counts(bool sort, bool ascending, bool normalize, bool dropna, int64_t split_out) const {
  expr::GroupBySpec spec;
  const std::string key = name_.empty() ? "0" : name_;
  spec.keys = {key};
  spec.aggregations = {compute::Aggregation("", compute::AggregateFunction::kSize, "count")};
  spec.sort = sort;
  spec.ascending = ascending;
  spec.normalize = normalize;
  spec.dropna = dropna;
  spec.split_out = split_out;
  spec.value_counts = true;
  if (split_out > 1 && (sort || normalize)) {
    // Counts would be ordered, and proportions normalised, within each output partition only;
    // a global order or total needs one.
    spec.split_out = 1;
  }
  const auto node = expr::GroupByNode::Make(rename(key).node(), spec);
  return SeriesOf(node, normalize ? "proportion" : "count");
}

Series Series::unique(int64_t split_out) const {
  expr::GroupBySpec spec;
  const std::string key = name_.empty() ? "0" : name_;
  spec.keys = {key};
  spec.sort = false;
  spec.dropna = false;
  spec.as_index = false;
  spec.split_out = split_out;
  return SeriesOf(expr::GroupByNode::Make(rename(key).node(), spec), key);
}

namespace {

Series Extreme(const Series& series, int64_t n, bool largest) {
  const std::string key = series.name().empty() ? "0" : series.name();
  const auto top = [key, n, largest](const TablePtr& table) {
    const TablePtr sorted = compute::SortTable(*table, {{key, !largest}});
    return sorted->Slice(0, std::min(n, sorted->num_rows()));
  };
  const expr::NodePtr base = series.rename(key).node();
  const auto per_partition = expr::MapPartitionsNode::Make(base, top, base->meta(), largest ? "nlargest-chunk" : "nsmallest-chunk", false);
  const auto gathered = expr::HeadNode::Make(per_partition, INT64_MAX, per_partition->npartitions());
  const auto result = expr::MapPartitionsNode::Make(gathered, top, base->meta(), largest ? "nlargest" : "nsmallest", false);
  return SeriesOf(result, series.name());
}

}  // namespace

Series Series::nlargest(int64_t n) const { return Extreme(*this, n, true); }

std::pair<Series, std::vector<Series>> Series::with_scalars(const std::vector<Scalar>& scalars) const {
  std::vector<expr::NodePtr> nodes;
  std::vector<std::string> names;
  for (const auto& scalar : scalars) {
    nodes.push_back(scalar.node());
    names.push_back("__scalar_" + scalar.node()->name());
  }
  // one column per distinct scalar; a scalar the frame already carries (x - x.mean()) / x.mean()
  // is not broadcast again (its column is named after the scalar's node)
  std::vector<expr::NodePtr> distinct_nodes;
  std::vector<std::string> distinct_names;
  for (size_t k = 0; k < names.size(); ++k) {
    if (std::find(distinct_names.begin(), distinct_names.end(), names[k]) != distinct_names.end()) continue;
    if (input_->meta()->schema().FieldIndex(names[k]) >= 0) continue;
    distinct_names.push_back(names[k]);
    distinct_nodes.push_back(nodes[k]);
  }
  const auto frame = distinct_names.empty()
                         ? input_
                         : expr::BroadcastScalarsNode::Make(input_, std::move(distinct_nodes), std::move(distinct_names));
  std::vector<Series> columns;
  for (const auto& name : names) columns.emplace_back(frame, ColumnExpr::Column(name), name_);
  return {Series(frame, expression_, name_), std::move(columns)};
}
Series Series::nsmallest(int64_t n) const { return Extreme(*this, n, false); }

SeriesGroupBy Series::groupby(const Series& key) const {
  const std::string value = name_.empty() ? "0" : name_;
  std::string key_name = key.name().empty() || key.name() == value ? "__key" : key.name();
  auto [input, key_expr, value_expr] = Align(key, *this);
  const auto frame = expr::ProjectNode::Make(input, {{key_name, key_expr}, {value, value_expr}});
  return SeriesGroupBy(frame, {key_name}, value, key_name == "__key" ? key.name() : "", {});
}

DataFrame Series::to_frame() const { return DataFrame(rename(name_.empty() ? "0" : name_).node()); }

Series Series::head(int64_t n, sched::Scheduler& scheduler) const {
  return Series(expr::FromTablesNode::Make({to_frame().head(n, scheduler)}), ColumnExpr::Column(name_.empty() ? "0" : name_), name_);
}

TablePtr Series::compute(sched::Scheduler& scheduler) const { return to_frame().compute(scheduler); }

Series Series::persist(sched::Scheduler& scheduler) const {
  const DataFrame frame = to_frame().persist(scheduler);
  return SeriesOf(frame.node(), name_);
}

std::string Series::explain() const { return execution::Explain(node()); }

std::string Series::ToString() const { return execution::FormatStructure(*to_frame().node(), "Series"); }

// ---------------------------------------------------------------------------------------------
// Accessors

Series DatetimeAccessor::Call(const char* function, expr::CallParams params) const {
  return Unary(series_, function, std::move(params));
}
Series DatetimeAccessor::year() const { return Call("dt.year"); }
Series DatetimeAccessor::month() const { return Call("dt.month"); }
Series DatetimeAccessor::day() const { return Call("dt.day"); }
Series DatetimeAccessor::hour() const { return Call("dt.hour"); }
Series DatetimeAccessor::minute() const { return Call("dt.minute"); }
Series DatetimeAccessor::second() const { return Call("dt.second"); }
Series DatetimeAccessor::dayofweek() const { return Call("dt.dayofweek"); }
Series DatetimeAccessor::dayofyear() const { return Call("dt.dayofyear"); }
Series DatetimeAccessor::date() const { return Call("dt.date"); }
Series DatetimeAccessor::normalize() const { return Call("dt.normalize"); }
Series DatetimeAccessor::floor(const std::string& freq) const { return Call("dt.floor", {{freq}, {}, {}}); }
Series DatetimeAccessor::ceil(const std::string& freq) const { return Call("dt.ceil", {{freq}, {}, {}}); }
Series DatetimeAccessor::round(const std::string& freq) const { return Call("dt.round", {{freq}, {}, {}}); }

Series StringAccessor::Call(const char* function, expr::CallParams params) const {
  return Unary(series_, function, std::move(params));
}
Series StringAccessor::len() const { return Call("str.len"); }
Series StringAccessor::lower() const { return Call("str.lower"); }
Series StringAccessor::upper() const { return Call("str.upper"); }
Series StringAccessor::strip() const { return Call("str.strip"); }
Series StringAccessor::lstrip() const { return Call("str.lstrip"); }
Series StringAccessor::rstrip() const { return Call("str.rstrip"); }
Series StringAccessor::contains(const std::string& pattern, bool regex) const {
  return Call("str.contains", {{pattern}, {regex ? 1 : 0}, {}});
}
Series StringAccessor::startswith(const std::string& prefix) const { return Call("str.startswith", {{prefix}, {}, {}}); }
Series StringAccessor::endswith(const std::string& suffix) const { return Call("str.endswith", {{suffix}, {}, {}}); }
Series StringAccessor::slice(std::optional<int64_t> start, std::optional<int64_t> stop) const {
  return Call("str.slice", {{}, {start ? 1 : 0, start.value_or(0), stop ? 1 : 0, stop.value_or(0)}, {}});
}
Series StringAccessor::replace(const std::string& old, const std::string& replacement) const {
  return Call("str.replace", {{old, replacement}, {}, {}});
}

// ---------------------------------------------------------------------------------------------
// Operators with lazily computed values

#define TESSERA_SCALAR_OPERATOR(op)                                            \
  Series operator op(const Series& a, const Scalar& b) {                       \
    auto [series, values] = a.with_scalars({b});                               \
    return series op values[0];                                                \
  }
#define TESSERA_REFLECTED_SCALAR_OPERATOR(op)                                  \
  Series operator op(const Scalar& a, const Series& b) {                       \
    auto [series, values] = b.with_scalars({a});                               \
    return values[0] op series;                                                \
  }
TESSERA_SCALAR_OPERATOR(+)
TESSERA_SCALAR_OPERATOR(-)
TESSERA_SCALAR_OPERATOR(*)
TESSERA_SCALAR_OPERATOR(/)
TESSERA_SCALAR_OPERATOR(<)
TESSERA_SCALAR_OPERATOR(<=)
TESSERA_SCALAR_OPERATOR(>)
TESSERA_SCALAR_OPERATOR(>=)
TESSERA_REFLECTED_SCALAR_OPERATOR(+)
TESSERA_REFLECTED_SCALAR_OPERATOR(-)
TESSERA_REFLECTED_SCALAR_OPERATOR(*)
TESSERA_REFLECTED_SCALAR_OPERATOR(/)
#undef TESSERA_SCALAR_OPERATOR
#undef TESSERA_REFLECTED_SCALAR_OPERATOR

}  // namespace tessera::dataframe
