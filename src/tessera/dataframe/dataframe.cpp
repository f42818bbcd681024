// DataFrame: column selection and assignment, row filters, missing values, per-column
// reductions, head/tail, compute/persist.
#include "tessera/dataframe/dataframe.hpp"

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/execution.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/rebase.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {

using expr::ColumnExpr;
using expr::ColumnExprPtr;
using expr::NamedExpr;

namespace {

std::vector<NamedExpr> SameColumns(const Table& meta) {
  std::vector<NamedExpr> columns;
  for (const auto& name : meta.column_names()) columns.push_back({name, ColumnExpr::Column(name)});
  return columns;
}

// Every column passed through `function(column)`.
DataFrame MapColumns(const DataFrame& frame, const std::function<ColumnExprPtr(const ColumnExprPtr&)>& function) {
  std::vector<NamedExpr> columns;
  for (const auto& name : frame.columns()) columns.push_back({name, function(ColumnExpr::Column(name))});
  return DataFrame(expr::ProjectNode::Make(frame.node(), std::move(columns)));
}

bool IsNumeric(DataType type) { return type.is_numeric() || type == types::Bool(); }

}  // namespace

Series DataFrame::index() const {
  if (!meta()->has_index()) throw InvalidArgument("the frame has no index; call set_index first");
  return Series(node_, ColumnExpr::Index(), meta()->index_name());
}

Series DataFrame::operator[](const std::string& column) const {
  node_->meta()->column(column);  // KeyError naming the columns
  return Series(node_, ColumnExpr::Column(column), column);
}

DataFrame DataFrame::operator[](const std::vector<std::string>& columns) const {
  std::vector<NamedExpr> selected;
  for (const auto& name : columns) {
    node_->meta()->column(name);
    selected.push_back({name, ColumnExpr::Column(name)});
  }
  return DataFrame(expr::ProjectNode::Make(node_, std::move(selected)));
}

DataFrame DataFrame::operator[](const Series& mask) const {
  if (ColumnExprPtr condition = RebaseOnto(mask.expression(), mask.input(), node_)) {
    return DataFrame(expr::FilterNode::Make(node_, condition));
  }
  // The mask belongs to a frame this one derives from (or the reverse): filter over a frame
  // holding both, then keep this frame's columns.
  std::vector<Series> series;
  const auto names = columns();
  for (const auto& name : names) series.push_back((*this)[name]);
  series.push_back(mask);
  const AlignedSeries aligned = AlignAll(series);
  std::vector<NamedExpr> kept;
  for (size_t i = 0; i < names.size(); ++i) kept.push_back({names[i], aligned.expressions[i]});
  const auto filtered = expr::FilterNode::Make(aligned.input, aligned.expressions.back());
  return DataFrame(expr::ProjectNode::Make(filtered, std::move(kept)));
}

DataFrame DataFrame::assign(const std::vector<std::pair<std::string, Series>>& values) const {
  std::vector<Series> series;
  const auto names = columns();
  for (const auto& name : names) series.push_back((*this)[name]);
  for (const auto& [name, value] : values) series.push_back(value);
  const AlignedSeries aligned = AlignAll(series);
  std::vector<NamedExpr> columns;
  for (size_t i = 0; i < names.size(); ++i) columns.push_back({names[i], aligned.expressions[i]});
  for (size_t j = 0; j < values.size(); ++j) {
    const ColumnExprPtr& expression = aligned.expressions[names.size() + j];
    auto existing = std::find_if(columns.begin(), columns.end(), [&](const NamedExpr& c) { return c.name == values[j].first; });
    if (existing != columns.end()) existing->expr = expression;
    else columns.push_back({values[j].first, expression});
  }
  return DataFrame(expr::ProjectNode::Make(aligned.input, std::move(columns)));
}

DataFrame DataFrame::assign(const std::string& name, const Series& value) const { return assign({{name, value}}); }

DataFrame DataFrame::assign(const std::string& name, const Literal& value) const {
  auto columns = SameColumns(*meta());
  auto existing = std::find_if(columns.begin(), columns.end(), [&](const NamedExpr& c) { return c.name == name; });
  if (existing != columns.end()) existing->expr = ColumnExpr::Literal(value.scalar());
  else columns.push_back({name, ColumnExpr::Literal(value.scalar())});
  return DataFrame(expr::ProjectNode::Make(node_, std::move(columns)));
}

DataFrame DataFrame::drop(const std::vector<std::string>& columns) const {
  for (const auto& name : columns) meta()->column(name);
  std::vector<NamedExpr> kept;
  for (const auto& name : this->columns()) {
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) kept.push_back({name, ColumnExpr::Column(name)});
  }
  return DataFrame(expr::ProjectNode::Make(node_, std::move(kept)));
}

DataFrame DataFrame::rename(const std::map<std::string, std::string>& columns) const {
  std::vector<NamedExpr> renamed;
  for (const auto& name : this->columns()) {
    auto it = columns.find(name);
    renamed.push_back({it == columns.end() ? name : it->second, ColumnExpr::Column(name)});
  }
  return DataFrame(expr::ProjectNode::Make(node_, std::move(renamed)));
}

DataFrame DataFrame::astype(const std::map<std::string, std::string>& dtypes) const {
  for (const auto& [name, dtype] : dtypes) {
    meta()->column(name);
    ParseDataType(dtype);
  }
  std::vector<NamedExpr> columns;
  for (const auto& name : this->columns()) {
    auto it = dtypes.find(name);
    ColumnExprPtr column = ColumnExpr::Column(name);
    if (it != dtypes.end()) column = ColumnExpr::Call("astype", {column}, {{it->second}, {}, {}});
    columns.push_back({name, column});
  }
  return DataFrame(expr::ProjectNode::Make(node_, std::move(columns)));
}

DataFrame DataFrame::astype(const std::string& dtype) const {
  std::map<std::string, std::string> dtypes;
  for (const auto& name : columns()) dtypes[name] = dtype;
  return astype(dtypes);
}

DataFrame DataFrame::isnull() const {
  return MapColumns(*this, [](const ColumnExprPtr& c) { return ColumnExpr::Call("isnull", {c}); });
}

DataFrame DataFrame::notnull() const {
  return MapColumns(*this, [](const ColumnExprPtr& c) { return ColumnExpr::Call("notnull", {c}); });
}

DataFrame DataFrame::fillna(const Literal& value) const {
  return MapColumns(*this, [&](const ColumnExprPtr& c) {
    return ColumnExpr::Call("fillna", {c, ColumnExpr::Literal(value.scalar())});
  });
}

DataFrame DataFrame::fillna(const std::map<std::string, Literal>& values) const {
  std::vector<NamedExpr> columns;
  for (const auto& name : this->columns()) {
    auto it = values.find(name);
    ColumnExprPtr column = ColumnExpr::Column(name);
    if (it != values.end()) column = ColumnExpr::Call("fillna", {column, ColumnExpr::Literal(it->second.scalar())});
    columns.push_back({name, column});
  }
  return DataFrame(expr::ProjectNode::Make(node_, std::move(columns)));
}

DataFrame DataFrame::dropna(const std::string& how, const std::vector<std::string>& subset) const {
  if (how != "any" && how != "all") throw InvalidArgument("dropna how must be 'any' or 'all', got '" + how + "'");
  const std::vector<std::string> names = subset.empty() ? columns() : subset;
  ColumnExprPtr keep;
  for (const auto& name : names) {
    meta()->column(name);
    ColumnExprPtr present = ColumnExpr::Call("notnull", {ColumnExpr::Column(name)});
    keep = keep == nullptr ? present : ColumnExpr::Call(how == "any" ? "and" : "or", {keep, present});
  }
  if (keep == nullptr) return *this;
  return DataFrame(expr::FilterNode::Make(node_, keep));
}

DataFrame DataFrame::where(const Series& condition, const Literal& other) const {
  const ColumnExprPtr cond = RebaseOnto(condition.expression(), condition.input(), node_);
  if (cond == nullptr) AlignAll({condition, Series(node_, ColumnExpr::Index(), "")});  // throws
  return MapColumns(*this, [&](const ColumnExprPtr& c) {
    return ColumnExpr::Call("where", {cond, c, ColumnExpr::Literal(other.scalar())});
  });
}

DataFrame DataFrame::mask(const Series& condition, const Literal& other) const { return where(~condition, other); }

DataFrame DataFrame::clip(std::optional<Literal> lower, std::optional<Literal> upper) const {
  const auto bound = [](const std::optional<Literal>& value) {
    return ColumnExpr::Literal(value ? value->scalar() : compute::Scalar::Null(types::Float64()));
  };
  return MapColumns(*this, [&](const ColumnExprPtr& c) { return ColumnExpr::Call("clip", {c, bound(lower), bound(upper)}); });
}

DataFrame DataFrame::abs() const {
  return MapColumns(*this, [](const ColumnExprPtr& c) { return ColumnExpr::Call("abs", {c}); });
}

DataFrame DataFrame::round(int decimals) const {
  return MapColumns(*this, [&](const ColumnExprPtr& c) { return ColumnExpr::Call("round", {c}, {{}, {decimals}, {}}); });
}

// ---------------------------------------------------------------------------------------------
// Per-column reductions

namespace {

using expr::ReduceFunction;

// sum/mean/var/std reduce numeric and bool columns (pandas' numeric_only=True); the others
// every column.
Series ReduceColumns(const DataFrame& frame, expr::ReduceSpec spec, bool numeric_only, const ReduceOptions& options) {
  std::vector<expr::ReduceSpec> specs;
  std::vector<std::string> labels;
  for (const auto& field : frame.dtypes().fields()) {
    if (numeric_only && !IsNumeric(field.type)) continue;
    spec.column = field.name;
    specs.push_back(spec);
    labels.push_back(field.name);
  }
  if (specs.empty()) throw TypeError(std::string(expr::ReduceFunctionName(spec.function)) + " needs at least one numeric column");
  auto node = expr::ReduceNode::Make(frame.node(), std::move(specs), expr::ReduceShape::kSeriesByLabel, std::move(labels),
                                     options.split_every);
  return Series(node, ColumnExpr::Column("0"), "");
}

}  // namespace

Series DataFrame::sum(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kSum}, true, options); }
Series DataFrame::mean(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kMean}, true, options); }
Series DataFrame::count(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kCount}, false, options); }
Series DataFrame::min(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kMin}, false, options); }
Series DataFrame::max(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kMax}, false, options); }
Series DataFrame::var(int ddof, ReduceOptions options) const {
  return ReduceColumns(*this, {"", ReduceFunction::kVar, ddof}, true, options);
}
Series DataFrame::std(int ddof, ReduceOptions options) const {
  return ReduceColumns(*this, {"", ReduceFunction::kStd, ddof}, true, options);
}
Series DataFrame::nunique(bool dropna, ReduceOptions options) const {
  return ReduceColumns(*this, {"", ReduceFunction::kNUnique, 1, 0.5, dropna}, false, options);
}
Series DataFrame::any(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kAny}, false, options); }
Series DataFrame::all(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kAll}, false, options); }
Series DataFrame::idxmin(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kIdxMin}, true, options); }
Series DataFrame::idxmax(ReduceOptions options) const { return ReduceColumns(*this, {"", ReduceFunction::kIdxMax}, true, options); }

DataFrame DataFrame::describe() const {
  static const std::vector<std::pair<std::string, expr::ReduceSpec>> kStatistics = {
      {"count", {"", ReduceFunction::kCount}}, {"mean", {"", ReduceFunction::kMean}},
      {"std", {"", ReduceFunction::kStd}},     {"min", {"", ReduceFunction::kMin}},
      {"25%", {"", ReduceFunction::kQuantile, 1, 0.25}}, {"50%", {"", ReduceFunction::kQuantile, 1, 0.5}},
      {"75%", {"", ReduceFunction::kQuantile, 1, 0.75}}, {"max", {"", ReduceFunction::kMax}}};
  std::vector<std::string> numeric;
  for (const auto& field : dtypes().fields()) {
    if (field.type.is_numeric()) numeric.push_back(field.name);
  }
  if (numeric.empty()) throw TypeError("describe needs at least one numeric column");
  std::vector<expr::ReduceSpec> specs;
  std::vector<std::string> labels;
  for (const auto& column : numeric) {
    for (const auto& [label, statistic] : kStatistics) {
      expr::ReduceSpec spec = statistic;
      spec.column = column;
      specs.push_back(spec);
      labels.push_back(column + "/" + label);
    }
  }
  auto reduced = expr::ReduceNode::Make(node_, std::move(specs), expr::ReduceShape::kSeriesByLabel, std::move(labels));
  // One row per statistic, one float64 column per input column, as pandas lays it out.
  auto pivot = [numeric](const TablePtr& flat) {
    const size_t statistics = kStatistics.size();
    StringBuilder index(int64_t(statistics), 64);
    for (const auto& [label, statistic] : kStatistics) index.Append(label);
    const ColumnPtr values = compute::Cast(*flat->column(0), types::Float64());
    std::vector<ColumnPtr> columns;
    for (size_t c = 0; c < numeric.size(); ++c) {
      columns.push_back(flat->num_rows() == 0 ? values : values->Slice(int64_t(c * statistics), int64_t(statistics)));
    }
    if (flat->num_rows() == 0) return Table::MakeEmpty(Schema([&] {
      std::vector<Field> fields;
      for (const auto& name : numeric) fields.push_back({name, types::Float64()});
      return fields;
    }()));
    return Table::Make(numeric, columns, index.Finish(), "");
  };
  return DataFrame(expr::MapPartitionsNode::Make(reduced, pivot, nullptr, "describe", false));
}

DataFrame DataFrame::drop_duplicates(const std::vector<std::string>& subset, int64_t split_out) const {
  if (split_out < 1) throw InvalidArgument("split_out must be at least 1, got " + std::to_string(split_out));
  const std::vector<std::string> keys = subset.empty() ? columns() : subset;
  for (const auto& key : keys) meta()->column(key);
  // Whole first rows (a group-by's "first" would take each column's first non-null value) with
  // their index labels, as pandas and Dask keep them:
  // dropped per partition, then again once the shuffle has brought equal keys together in
  // partition order, so the first occurrence wins.
  auto first_rows = [keys](const TablePtr& table) {
    const compute::Grouping grouping = compute::GroupIds(*table, keys, /*dropna=*/false);
    const int64_t* ids = grouping.group_ids->values<int64_t>();
    std::vector<bool> seen(size_t(grouping.num_groups), false);
    std::vector<int64_t> rows;
    for (int64_t row = 0; row < table->num_rows(); ++row) {
      if (!seen[size_t(ids[row])]) {
        seen[size_t(ids[row])] = true;
        rows.push_back(row);
      }
    }
    return compute::Take(*table, rows);  // with the index: first occurrences keep their labels
  };
  const auto chunks = expr::MapPartitionsNode::Make(node_, first_rows, nullptr, "drop-duplicates-chunk", false);
  const auto shuffled = expr::ShuffleNode::Make(chunks, keys, split_out);
  return DataFrame(expr::MapPartitionsNode::Make(shuffled, first_rows, nullptr, "drop-duplicates", false));
}

namespace {

DataFrame Extreme(const DataFrame& frame, int64_t n, const std::string& column, bool largest) {
  frame.meta()->column(column);
  const auto top = [column, n, largest](const TablePtr& table) {
    const TablePtr sorted = compute::SortTable(*table, {{column, !largest}});
    return sorted->Slice(0, std::min(n, sorted->num_rows()));
  };
  const auto per_partition =
      expr::MapPartitionsNode::Make(frame.node(), top, frame.meta(), largest ? "nlargest-chunk" : "nsmallest-chunk", false);
  const auto gathered = expr::HeadNode::Make(per_partition, INT64_MAX, per_partition->npartitions());
  return DataFrame(expr::MapPartitionsNode::Make(gathered, top, frame.meta(), largest ? "nlargest" : "nsmallest", false));
}

}  // namespace

DataFrame DataFrame::nlargest(int64_t n, const std::string& column) const { return Extreme(*this, n, column, true); }
DataFrame DataFrame::nsmallest(int64_t n, const std::string& column) const { return Extreme(*this, n, column, false); }

GroupBy DataFrame::groupby(const std::vector<std::string>& keys) const {
  for (const auto& key : keys) meta()->column(key);
  return GroupBy(node_, keys);
}

GroupBy DataFrame::groupby(const std::string& key) const { return groupby(std::vector<std::string>{key}); }

GroupBy DataFrame::groupby(const Series& key) const {
  const ColumnExprPtr rebased = RebaseOnto(key.expression(), key.input(), node_);
  if (rebased && rebased->kind() == ColumnExpr::Kind::kColumn && rebased->name() == key.name()) {
    return groupby(key.name());  // a column of this frame
  }
  const DataFrame with_key = assign("__key", key);
  return GroupBy(with_key.node(), {"__key"}, {}, key.name());
}

DataFrame DataFrame::map_partitions(std::function<TablePtr(const TablePtr&)> function, TablePtr meta, std::string name) const {
  return DataFrame(expr::MapPartitionsNode::Make(node_, std::move(function), std::move(meta), std::move(name), true));
}

TablePtr DataFrame::head(int64_t n, sched::Scheduler& scheduler) const {
  if (n < 0) throw InvalidArgument("head needs n >= 0, got " + std::to_string(n));
  for (int64_t k = 1;; k = std::min(k * 4, npartitions())) {
    TablePtr table = execution::Compute({expr::HeadNode::Make(node_, n, k)}, scheduler)[0];
    if (table->num_rows() >= n || k == npartitions()) return table;
  }
}

TablePtr DataFrame::tail(int64_t n, sched::Scheduler& scheduler) const {
  if (n < 0) throw InvalidArgument("tail needs n >= 0, got " + std::to_string(n));
  for (int64_t k = 1;; k = std::min(k * 4, npartitions())) {
    std::vector<int64_t> last;
    for (int64_t i = npartitions() - k; i < npartitions(); ++i) last.push_back(i);
    TablePtr table = execution::Compute({expr::PartitionsNode::Make(node_, last)}, scheduler)[0];
    if (table->num_rows() >= n || k == npartitions()) {
      const int64_t rows = std::min(n, table->num_rows());
      return table->Slice(table->num_rows() - rows, rows);
    }
  }
}

Scalar DataFrame::size() const {
  return Scalar(expr::ReduceNode::Make(node_, {{"", ReduceFunction::kSize}}, expr::ReduceShape::kScalar));
}

int64_t DataFrame::len(sched::Scheduler& scheduler) const {
  if (const auto rows = expr::KnownLength(node_)) return *rows;  // persisted partitions know their lengths
  return size().compute(scheduler).as_int64();
}

DataFrame DataFrame::partitions(const std::vector<int64_t>& indices) const {
  return DataFrame(expr::PartitionsNode::Make(node_, indices));
}

TablePtr DataFrame::compute(sched::Scheduler& scheduler) const { return execution::Compute({node_}, scheduler)[0]; }

DataFrame DataFrame::persist(sched::Scheduler& scheduler) const { return DataFrame(execution::Persist(node_, scheduler)); }

std::string DataFrame::explain() const { return execution::Explain(node_); }

std::string DataFrame::ToString() const { return execution::FormatStructure(*node_, "DataFrame"); }

std::vector<TablePtr> compute_all(const std::vector<expr::NodePtr>& nodes, sched::Scheduler& scheduler) {
  return execution::Compute(nodes, scheduler);
}

}  // namespace tessera::dataframe
