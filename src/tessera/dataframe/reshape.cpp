// concat, repartition, sort_values, to_csv.
#include <algorithm>
#include <map>

#include "tessera/base/error.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/execution.hpp"
#include "tessera/expr/combine_node.hpp"
#include "tessera/expr/merge_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/expr/sort_node.hpp"
#include "tessera/expr/zip_partitions_node.hpp"
#include "tessera/io/csv/csv_writer.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {

using Part = expr::RepartitionNode::Part;

DataFrame zip_partitions(const std::vector<DataFrame>& frames, std::vector<bool> broadcast,
                         std::function<TablePtr(int64_t, const std::vector<TablePtr>&)> function, TablePtr meta,
                         std::string name, bool keep_divisions) {
  std::vector<expr::NodePtr> inputs;
  for (const auto& frame : frames) inputs.push_back(frame.node());
  return DataFrame(expr::ZipPartitionsNode::Make(std::move(inputs), std::move(broadcast), std::move(function),
                                                 std::move(meta), std::move(name), keep_divisions));
}

DataFrame concat(const std::vector<DataFrame>& frames) {
  // Timestamp (duration) columns of different units meet in the finer one, as pandas.concat.
  std::map<std::string, DataType> finest;
  for (const auto& frame : frames) {
    for (const auto& field : frame.dtypes().fields()) {
      if (!field.type.has_unit()) continue;
      auto [it, inserted] = finest.emplace(field.name, field.type);
      if (!inserted && it->second.id() == field.type.id()) {
        it->second = DataType(field.type.id(), FinerUnit(it->second.unit(), field.type.unit()));
      }
    }
  }
  std::vector<expr::NodePtr> nodes;
  for (const auto& frame : frames) {
    std::map<std::string, std::string> casts;
    for (const auto& field : frame.dtypes().fields()) {
      const auto it = finest.find(field.name);
      if (it != finest.end() && it->second.id() == field.type.id() && it->second != field.type) {
        casts[field.name] = it->second.ToString();
      }
    }
    nodes.push_back(casts.empty() ? frame.node() : frame.astype(casts).node());
  }
  return DataFrame(expr::ConcatNode::Make(std::move(nodes)));
}

DataFrame DataFrame::merge(const DataFrame& right, const MergeOptions& options) const {
  compute::JoinOptions join;
  if (options.how == "inner") join.how = compute::JoinType::kInner;
  else if (options.how == "left") join.how = compute::JoinType::kLeft;
  else if (options.how == "right") join.how = compute::JoinType::kRight;
  else if (options.how == "outer") join.how = compute::JoinType::kOuter;
  else throw InvalidArgument("merge how must be 'inner', 'left', 'right' or 'outer', got '" + options.how + "'");
  if (!options.on.empty() && (!options.left_on.empty() || !options.right_on.empty())) {
    throw InvalidArgument("merge: give either on or left_on/right_on, not both");
  }
  join.left_on = options.on.empty() ? options.left_on : options.on;
  join.right_on = options.on.empty() ? options.right_on : options.on;
  join.left_index = options.left_index;
  join.right_index = options.right_index;
  join.suffixes = options.suffixes;
  join.sort = options.sort;
  return DataFrame(expr::MergeNode::Make(node_, right.node(), join, options.npartitions));
}

DataFrame DataFrame::join(const DataFrame& right, const std::string& how, const std::string& lsuffix,
                          const std::string& rsuffix) const {
  MergeOptions options;
  options.how = how;
  options.left_index = options.right_index = true;
  options.suffixes = {lsuffix, rsuffix};
  return merge(right, options);
}

DataFrame DataFrame::repartition(int64_t target) const {
  if (target < 1) throw InvalidArgument("repartition needs npartitions >= 1, got " + std::to_string(target));
  const int64_t n = npartitions();
  if (target == n) return *this;
  std::vector<Part> parts;
  expr::Divisions divisions;
  if (target < n) {
    // Neighbours merged: output j takes inputs [j * n / target, (j + 1) * n / target).
    for (int64_t j = 0; j < target; ++j) {
      Part part;
      for (int64_t i = j * n / target; i < (j + 1) * n / target; ++i) part.inputs.push_back(i);
      if (known_divisions()) divisions.push_back(this->divisions()[size_t(part.inputs.front())]);
      parts.push_back(std::move(part));
    }
    if (known_divisions()) divisions.push_back(this->divisions().back());
  } else {
    // Every input split into about target / n row ranges.
    for (int64_t i = 0; i < n; ++i) {
      const int64_t pieces = (i + 1) * target / n - i * target / n;
      for (int64_t piece = 0; piece < std::max<int64_t>(pieces, 1); ++piece) parts.push_back(Part{{i}, piece, std::max<int64_t>(pieces, 1)});
    }
  }
  return DataFrame(expr::RepartitionNode::Make(node_, std::move(parts), std::move(divisions)));
}

DataFrame DataFrame::repartition_by_size(int64_t bytes, sched::Scheduler& scheduler) const {
  if (bytes < 1) throw InvalidArgument("partition_size must be positive, got " + std::to_string(bytes));
  auto measure = [](const TablePtr& table) {
    FixedWidthBuilder<int64_t> size(types::Int64(), 1);
    size.Append(table->nbytes());
    return Table::Make({"nbytes"}, {size.Finish()});
  };
  const TablePtr sizes = execution::Compute({expr::MapPartitionsNode::Make(node_, measure, nullptr, "partition-size", false)}, scheduler)[0];
  std::vector<Part> parts;
  Part pending;
  int64_t pending_bytes = 0;
  for (int64_t i = 0; i < sizes->num_rows(); ++i) {
    const int64_t size = sizes->column(0)->values<int64_t>()[i];
    if (size > bytes) {
      if (!pending.inputs.empty()) parts.push_back(std::exchange(pending, Part{}));
      pending_bytes = 0;
      const int64_t pieces = (size + bytes - 1) / bytes;
      for (int64_t piece = 0; piece < pieces; ++piece) parts.push_back(Part{{i}, piece, pieces});
      continue;
    }
    if (pending_bytes + size > bytes && !pending.inputs.empty()) {
      parts.push_back(std::exchange(pending, Part{}));
      pending_bytes = 0;
    }
    pending.inputs.push_back(i);
    pending_bytes += size;
  }
  if (!pending.inputs.empty()) parts.push_back(pending);
  return DataFrame(expr::RepartitionNode::Make(node_, std::move(parts), {}));
}

DataFrame DataFrame::repartition(const expr::Divisions& divisions) const {
  if (!known_divisions()) {
    throw InvalidArgument("repartition(divisions=) needs known divisions; call set_index first");
  }
  // The index becomes a column, rows are split by the new boundaries (already sorted, so the
  // per-partition sort keeps their order), and the column becomes the index again.
  const std::string index_name = meta()->index_name();
  const std::string column = index_name.empty() ? "index" : index_name;
  const DataFrame flat = reset_index();
  const auto sorted = expr::SortByBoundariesNode::Make(flat.node(), column, divisions);
  if (!index_name.empty()) return DataFrame(sorted);
  auto unnamed = [](const TablePtr& table) { return Table::Make(table->column_names(), table->columns(), table->index(), ""); };
  return DataFrame(expr::MapPartitionsNode::MakeWithDivisions(sorted, unnamed, unnamed(sorted->meta()), "rename-index", divisions));
}

DataFrame DataFrame::sort_values(const std::vector<std::string>& by, const std::vector<bool>& ascending,
                                 sched::Scheduler& scheduler) const {
  if (by.empty()) throw InvalidArgument("sort_values needs at least one column");
  if (!ascending.empty() && ascending.size() != by.size()) {
    throw InvalidArgument("sort_values: " + std::to_string(ascending.size()) + " ascending flags for " +
                          std::to_string(by.size()) + " columns");
  }
  std::vector<compute::SortKey> keys;
  for (size_t i = 0; i < by.size(); ++i) {
    meta()->column(by[i]);
    keys.push_back({by[i], ascending.empty() || ascending[i]});
  }
  auto sort_partition = [keys](const TablePtr& table) { return compute::SortTable(*table, keys); };
  if (npartitions() == 1) return DataFrame(expr::MapPartitionsNode::Make(node_, sort_partition, nullptr, "sort-values", false));
  // Range-partition by the first key (boundaries from set_index's sampling pass), sort each range.
  const DataFrame ranged = reset_index().set_index(by[0], {}, scheduler).reset_index();
  const bool has_index = meta()->has_index();
  const std::string index_column = meta()->index_name().empty() ? "index" : meta()->index_name();
  const std::string index_name = meta()->index_name();
  auto restore = [keys, has_index, index_column, index_name, columns = columns()](const TablePtr& table) {
    TablePtr sorted = compute::SortTable(*table, keys);
    if (!has_index) return sorted->SelectColumns(columns);
    TablePtr indexed = sorted->SetIndex(index_column);
    return Table::Make(columns, indexed->SelectColumns(columns)->columns(), indexed->index(), index_name);
  };
  DataFrame result(expr::MapPartitionsNode::Make(ranged.node(), restore, nullptr, "sort-values", false));
  if (keys[0].ascending) return result;
  // Descending: the ranges in reverse order, but rows whose first key is missing stay last (they
  // all sit in the last range), as pandas' na_position="last".
  const Series present = result[by[0]].notnull();
  std::vector<int64_t> reversed;
  for (int64_t i = result.npartitions() - 1; i >= 0; --i) reversed.push_back(i);
  const DataFrame values = result[present].partitions(reversed);
  const DataFrame missing = result.partitions({result.npartitions() - 1});
  return concat({values, missing[missing[by[0]].isnull()]});
}

std::vector<std::string> DataFrame::to_csv(const std::string& pattern, const io::CsvWriteOptions& options,
                                           sched::Scheduler& scheduler) const {
  const bool one_file = pattern.find('*') == std::string::npos;
  if (one_file) {
    io::WriteCsvTable(*compute(scheduler), pattern, options);
    return {pattern};
  }
  if (!options.partition_names.empty() && int64_t(options.partition_names.size()) != npartitions()) {
    throw InvalidArgument("to_csv: " + std::to_string(options.partition_names.size()) + " file names given for " +
                          std::to_string(npartitions()) + " partitions");
  }
  const auto write = [pattern, options](const TablePtr& table, int64_t partition) {
    std::string path = pattern;
    path.replace(path.find('*'), 1, options.partition_names.empty() ? std::to_string(partition)
                                                                    : options.partition_names[size_t(partition)]);
    io::WriteCsvTable(*table, path, options);
    return path;
  };
  // One task per partition writes its file and returns the path.
  std::vector<expr::NodePtr> writers;
  for (int64_t p = 0; p < npartitions(); ++p) {
    auto one = [write, p](const TablePtr& table) {
      StringBuilder path(1, 64);
      path.Append(write(table, p));
      return Table::Make({"path"}, {path.Finish()});
    };
    writers.push_back(expr::MapPartitionsNode::Make(expr::PartitionsNode::Make(node_, {p}), one,
                                                    Table::MakeEmpty(Schema({Field{"path", types::String()}})),
                                                    "to-csv", false));
  }
  std::vector<std::string> paths;
  for (const auto& table : execution::Compute(writers, scheduler)) paths.emplace_back(table->column(0)->GetString(0));
  return paths;
}

}  // namespace tessera::dataframe
