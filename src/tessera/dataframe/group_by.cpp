// GroupBy and SeriesGroupBy: aggregation specs for expr::GroupByNode, apply through a shuffle.
#include "tessera/dataframe/group_by.hpp"

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/group_by_node.hpp"

namespace tessera::dataframe {

using compute::Aggregation;
using compute::ParseAggregateFunction;

namespace {

expr::GroupBySpec MakeSpec(const std::vector<std::string>& keys, const GroupByOptions& options) {
  expr::GroupBySpec spec;
  spec.keys = keys;
  spec.sort = options.sort;
  spec.dropna = options.dropna;
  spec.split_out = options.split_out;
  spec.split_every = options.split_every;
  return spec;
}

// Renames the single-key index (a grouping Series whose values were assigned under a
// temporary column name).
expr::NodePtr RenameIndex(const expr::NodePtr& node, const std::string& index_name) {
  if (index_name.empty()) return node;
  auto rename = [index_name](const TablePtr& table) {
    if (!table->has_index()) return table;
    std::vector<ColumnPtr> columns = table->columns();
    return Table::Make(table->column_names(), std::move(columns), table->index(), index_name);
  };
  return expr::MapPartitionsNode::Make(node, rename, rename(node->meta()), "rename-index", true);
}

}  // namespace

SeriesGroupBy::SeriesGroupBy(expr::NodePtr input, std::vector<std::string> keys, std::string column,
                             std::string index_name, GroupByOptions options)
    : input_(std::move(input)),
      keys_(std::move(keys)),
      column_(std::move(column)),
      index_name_(std::move(index_name)),
      options_(options) {}

Series SeriesGroupBy::Aggregate(const std::string& function, int ddof) const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  spec.ddof = ddof;
  spec.aggregations.emplace_back(column_, ParseAggregateFunction(function), column_);
  const auto node = RenameIndex(expr::GroupByNode::Make(input_, spec), index_name_);
  return Series(node, expr::ColumnExpr::Column(column_), column_);
}

DataFrame SeriesGroupBy::agg(const std::vector<std::string>& functions) const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  for (const auto& function : functions) spec.aggregations.emplace_back(column_, ParseAggregateFunction(function), function);
  return DataFrame(RenameIndex(expr::GroupByNode::Make(input_, spec), index_name_));
}

GroupBy::GroupBy(expr::NodePtr input, std::vector<std::string> keys, GroupByOptions options, std::string index_name)
    : input_(std::move(input)), keys_(std::move(keys)), options_(options), index_name_(std::move(index_name)) {
  if (keys_.empty()) throw InvalidArgument("groupby needs at least one key");
}

SeriesGroupBy GroupBy::operator[](const std::string& column) const {
  input_->meta()->column(column);
  return SeriesGroupBy(input_, keys_, column, index_name_, options_);
}

GroupBy GroupBy::operator[](const std::vector<std::string>& columns) const {
  for (const auto& column : columns) input_->meta()->column(column);
  GroupBy selected = *this;
  selected.columns_ = columns;
  return selected;
}

DataFrame GroupBy::Finish(expr::NodePtr node) const { return DataFrame(RenameIndex(node, index_name_)); }

DataFrame GroupBy::Aggregate(const std::string& function, int ddof) const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  spec.ddof = ddof;
  const auto parsed = ParseAggregateFunction(function);
  std::vector<std::string> columns = columns_;
  if (columns.empty()) {
    for (const auto& name : input_->meta()->column_names()) {
      if (std::find(keys_.begin(), keys_.end(), name) == keys_.end()) columns.push_back(name);
    }
  }
  for (const auto& column : columns) spec.aggregations.emplace_back(column, parsed, column);
  return Finish(expr::GroupByNode::Make(input_, spec));
}

Series GroupBy::size() const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  spec.aggregations.emplace_back("", compute::AggregateFunction::kSize, "size");
  return Series(Finish(expr::GroupByNode::Make(input_, spec)).node(), expr::ColumnExpr::Column("size"), "size");
}

DataFrame GroupBy::agg(const std::map<std::string, std::vector<std::string>>& functions) const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  for (const auto& [column, names] : functions) {
    for (const auto& function : names) {
      spec.aggregations.emplace_back(column, ParseAggregateFunction(function),
                                     names.size() == 1 ? column : column + "_" + function);
    }
  }
  return Finish(expr::GroupByNode::Make(input_, spec));
}

DataFrame GroupBy::agg(const std::vector<NamedAgg>& aggregations) const {
  expr::GroupBySpec spec = MakeSpec(keys_, options_);
  for (const auto& aggregation : aggregations) {
    spec.aggregations.emplace_back(aggregation.column, ParseAggregateFunction(aggregation.function), aggregation.output);
  }
  return Finish(expr::GroupByNode::Make(input_, spec));
}

DataFrame GroupBy::apply(std::function<TablePtr(const TablePtr&)> function, TablePtr meta,
                         expr::PortableFunction portable) const {
  return DataFrame(expr::GroupApply(input_, keys_, options_.sort, options_.dropna, std::move(function), std::move(meta),
                                    std::move(portable)));
}

}  // namespace tessera::dataframe
