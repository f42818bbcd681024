// GroupByNode: partial aggregates per partition, tree combine (optionally split by key hash),
// finish and order; nunique through a shuffle.
#include "tessera/expr/group_by_node.hpp"

#include <algorithm>
#include <cmath>

#include "tessera/base/error.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

using compute::AggregateFunction;

namespace {

std::string PartialName(size_t aggregation, const char* tag) {
  return "__" + std::to_string(aggregation) + "_" + tag;
}

std::string OutputName(const compute::Aggregation& aggregation) {
  if (!aggregation.output_name.empty()) return aggregation.output_name;
  if (aggregation.function == AggregateFunction::kSize && aggregation.column.empty()) return "size";
  return aggregation.column;
}

struct Columns {
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  void Add(std::string name, ColumnPtr column) {
    names.push_back(std::move(name));
    columns.push_back(std::move(column));
  }
};

Columns KeyColumns(const compute::Grouping& grouping, const std::vector<std::string>& keys) {
  Columns out;
  for (size_t k = 0; k < keys.size(); ++k) out.Add(keys[k], grouping.keys->column(int(k)));
  return out;
}

void AddMoments(Columns& out, size_t i, const std::vector<compute::MomentsState>& states) {
  FixedWidthBuilder<int64_t> counts(types::Int64(), int64_t(states.size()));
  FixedWidthBuilder<double> means(types::Float64(), int64_t(states.size()));
  FixedWidthBuilder<double> m2s(types::Float64(), int64_t(states.size()));
  for (const auto& state : states) {
    counts.UnsafeAppend(state.count);
    means.UnsafeAppend(state.mean);
    m2s.UnsafeAppend(state.m2);
  }
  out.Add(PartialName(i, "n"), counts.Finish());
  out.Add(PartialName(i, "m"), means.Finish());
  out.Add(PartialName(i, "q"), m2s.Finish());
}

// Partial aggregates of one partition: key columns, then the partial columns of each aggregation.
TablePtr Partial(const Table& table, const GroupBySpec& spec) {
  const compute::Grouping grouping = compute::GroupIds(table, spec.keys, spec.dropna);
  Columns out = KeyColumns(grouping, spec.keys);
  for (size_t i = 0; i < spec.aggregations.size(); ++i) {
    const auto& aggregation = spec.aggregations[i];
    const Column& values = aggregation.column.empty() ? *grouping.group_ids : *table.column(aggregation.column);
    auto add = [&](const char* tag, AggregateFunction function) {
      out.Add(PartialName(i, tag), compute::AggregateGroups(values, grouping, function));
    };
    switch (aggregation.function) {
      case AggregateFunction::kSum: add("s", AggregateFunction::kSum); break;
      case AggregateFunction::kMean: {
        auto [sums, counts] = compute::AggregateSumsAndCounts(values, grouping);
        out.Add(PartialName(i, "s"), std::move(sums));
        out.Add(PartialName(i, "c"), std::move(counts));
        break;
      }
      case AggregateFunction::kCount: add("c", AggregateFunction::kCount); break;
      case AggregateFunction::kSize: add("z", AggregateFunction::kSize); break;
      case AggregateFunction::kMin: add("min", AggregateFunction::kMin); break;
      case AggregateFunction::kMax: add("max", AggregateFunction::kMax); break;
      case AggregateFunction::kFirst: add("first", AggregateFunction::kFirst); break;
      case AggregateFunction::kLast: add("last", AggregateFunction::kLast); break;
      case AggregateFunction::kVar:
      case AggregateFunction::kStd: AddMoments(out, i, compute::GroupMoments(values, grouping)); break;
      case AggregateFunction::kNUnique: throw Internal("nunique is aggregated after a shuffle");
    }
  }
  return Table::Make(std::move(out.names), std::move(out.columns));
}

// Merges partial tables (concatenated in partition order) into one partial table.
TablePtr Combine(const TablePtr& partials, const GroupBySpec& spec) {
  const compute::Grouping grouping = compute::GroupIds(*partials, spec.keys, spec.dropna);
  Columns out = KeyColumns(grouping, spec.keys);
  for (size_t i = 0; i < spec.aggregations.size(); ++i) {
    auto merge = [&](const char* tag, AggregateFunction function) {
      out.Add(PartialName(i, tag), compute::AggregateGroups(*partials->column(PartialName(i, tag)), grouping, function));
    };
    switch (spec.aggregations[i].function) {
      case AggregateFunction::kSum: merge("s", AggregateFunction::kSum); break;
      case AggregateFunction::kMean:
        merge("s", AggregateFunction::kSum);
        merge("c", AggregateFunction::kSum);
        break;
      case AggregateFunction::kCount: merge("c", AggregateFunction::kSum); break;
      case AggregateFunction::kSize: merge("z", AggregateFunction::kSum); break;
      case AggregateFunction::kMin: merge("min", AggregateFunction::kMin); break;
      case AggregateFunction::kMax: merge("max", AggregateFunction::kMax); break;
      case AggregateFunction::kFirst: merge("first", AggregateFunction::kFirst); break;
      case AggregateFunction::kLast: merge("last", AggregateFunction::kLast); break;
      case AggregateFunction::kVar:
      case AggregateFunction::kStd: {
        std::vector<compute::MomentsState> states(size_t(grouping.num_groups));
        const int64_t* ids = grouping.group_ids->values<int64_t>();
        const int64_t* counts = partials->column(PartialName(i, "n"))->values<int64_t>();
        const double* means = partials->column(PartialName(i, "m"))->values<double>();
        const double* m2s = partials->column(PartialName(i, "q"))->values<double>();
        for (int64_t row = 0; row < partials->num_rows(); ++row) {
          if (ids[row] < 0) continue;
          states[size_t(ids[row])].Combine(compute::MomentsState{counts[row], means[row], m2s[row]});
        }
        AddMoments(out, i, states);
        break;
      }
      case AggregateFunction::kNUnique: throw Internal("nunique is aggregated after a shuffle");
    }
  }
  return Table::Make(std::move(out.names), std::move(out.columns));
}

// Null (as compute::AggregateGroups gives) for groups with too few values.
ColumnPtr Variance(const Table& partial, size_t i, int ddof, bool root) {
  const ColumnPtr counts = partial.column(PartialName(i, "n"));
  const ColumnPtr m2s = partial.column(PartialName(i, "q"));
  FixedWidthBuilder<double> out(types::Float64(), partial.num_rows());
  for (int64_t row = 0; row < partial.num_rows(); ++row) {
    const int64_t n = counts->values<int64_t>()[row];
    if (n <= ddof) {
      out.UnsafeAppendNull();
      continue;
    }
    const double variance = m2s->values<double>()[row] / double(n - ddof);
    out.UnsafeAppend(root ? std::sqrt(variance) : variance);
  }
  return out.Finish();
}

// Sum / count, null for groups without values (as compute::AggregateGroups gives).
ColumnPtr Mean(const Table& partial, size_t i) {
  const ColumnPtr sums = compute::Cast(*partial.column(PartialName(i, "s")), types::Float64());
  const ColumnPtr counts = partial.column(PartialName(i, "c"));
  FixedWidthBuilder<double> out(types::Float64(), partial.num_rows());
  for (int64_t row = 0; row < partial.num_rows(); ++row) {
    const int64_t n = counts->values<int64_t>()[row];
    if (n == 0) {
      out.UnsafeAppendNull();
    } else {
      out.UnsafeAppend(sums->values<double>()[row] / double(n));
    }
  }
  return out.Finish();
}

// Final values from a combined partial table, ordered and indexed as pandas returns them.
TablePtr Finish(const TablePtr& partial, const GroupBySpec& spec) {
  Columns out;
  for (const auto& key : spec.keys) out.Add(key, partial->column(key));
  for (size_t i = 0; i < spec.aggregations.size(); ++i) {
    const auto& aggregation = spec.aggregations[i];
    const std::string name = OutputName(aggregation);
    switch (aggregation.function) {
      case AggregateFunction::kSum: out.Add(name, partial->column(PartialName(i, "s"))); break;
      case AggregateFunction::kMean: out.Add(name, Mean(*partial, i)); break;
      case AggregateFunction::kCount: out.Add(name, partial->column(PartialName(i, "c"))); break;
      case AggregateFunction::kSize: out.Add(name, partial->column(PartialName(i, "z"))); break;
      case AggregateFunction::kMin: out.Add(name, partial->column(PartialName(i, "min"))); break;
      case AggregateFunction::kMax: out.Add(name, partial->column(PartialName(i, "max"))); break;
      case AggregateFunction::kFirst: out.Add(name, partial->column(PartialName(i, "first"))); break;
      case AggregateFunction::kLast: out.Add(name, partial->column(PartialName(i, "last"))); break;
      case AggregateFunction::kVar: out.Add(name, Variance(*partial, i, spec.ddof, false)); break;
      case AggregateFunction::kStd: out.Add(name, Variance(*partial, i, spec.ddof, true)); break;
      case AggregateFunction::kNUnique: throw Internal("nunique is aggregated after a shuffle");
    }
  }
  return Table::Make(std::move(out.names), std::move(out.columns));
}

TablePtr Arrange(TablePtr table, const GroupBySpec& spec) {
  if (spec.value_counts) {
    const std::string& key = spec.keys[0];
    if (spec.normalize) {
      const ColumnPtr counts = table->column("count");
      const double total = compute::Sum(*counts).ToDouble();
      table = table->DropColumn("count")->SetColumn(
          "proportion", compute::Divide(*compute::Cast(*counts, types::Float64()), compute::Scalar::Float64(total)));
    }
    const std::string value = spec.normalize ? "proportion" : "count";
    if (spec.sort) table = compute::SortTable(*table, {{value, spec.ascending}});
    return table->SetIndex(key);
  }
  if (spec.sort) {
    std::vector<compute::SortKey> keys;
    for (const auto& key : spec.keys) keys.push_back({key, true});
    table = compute::SortTable(*table, keys);
  }
  if (spec.as_index && spec.keys.size() == 1) table = table->SetIndex(spec.keys[0]);
  return table;
}

}  // namespace

NodePtr GroupByNode::Make(NodePtr input, GroupBySpec spec) {
  if (spec.keys.empty()) throw InvalidArgument("groupby needs at least one key");
  if (spec.split_out < 1) throw InvalidArgument("split_out must be at least 1, got " + std::to_string(spec.split_out));
  if (spec.split_every < 2) throw InvalidArgument("split_every must be at least 2, got " + std::to_string(spec.split_every));
  for (const auto& key : spec.keys) input->meta()->column(key);
  for (const auto& aggregation : spec.aggregations) {
    if (!aggregation.column.empty()) input->meta()->column(aggregation.column);
  }
  auto node = std::shared_ptr<GroupByNode>(new GroupByNode(input));
  node->spec_ = std::move(spec);
  uint64_t parameters = 0x67726f7570;
  for (const auto& key : node->spec_.keys) parameters = HashText(key, parameters) + 1;
  for (const auto& aggregation : node->spec_.aggregations) {
    parameters = HashText(aggregation.column + "/" + compute::AggregateFunctionName(aggregation.function) + "/" +
                              aggregation.output_name,
                          parameters);
  }
  const auto& s = node->spec_;
  parameters = HashText(std::to_string(s.sort) + std::to_string(s.dropna) + std::to_string(s.as_index) +
                            std::to_string(s.split_out) + "/" + std::to_string(s.split_every) + "/" +
                            std::to_string(s.ddof) + std::to_string(s.value_counts) + std::to_string(s.normalize) +
                            std::to_string(s.ascending),
                        parameters);
  TablePtr meta = node->AggregateTable(input->meta());
  node->Init(meta->Slice(0, 0), node->spec_.split_out, {}, parameters);
  return node;
}

bool GroupByNode::needs_shuffle() const {
  for (const auto& aggregation : spec_.aggregations) {
    if (aggregation.function == AggregateFunction::kNUnique) return true;
  }
  return false;
}

std::vector<std::string> GroupByNode::RequiredColumns() const {
  std::vector<std::string> columns = spec_.keys;
  for (const auto& aggregation : spec_.aggregations) {
    if (!aggregation.column.empty() &&
        std::find(columns.begin(), columns.end(), aggregation.column) == columns.end()) {
      columns.push_back(aggregation.column);
    }
  }
  return columns;
}

std::string GroupByNode::prefix() const {
  if (spec_.value_counts) return "value-counts";
  if (spec_.aggregations.size() == 1) {
    return std::string("groupby-") + compute::AggregateFunctionName(spec_.aggregations[0].function);
  }
  return "groupby-agg";
}

std::string GroupByNode::Describe() const {
  std::string text = spec_.value_counts ? "ValueCounts " + spec_.keys[0] : "GroupBy [";
  if (!spec_.value_counts) {
    for (size_t k = 0; k < spec_.keys.size(); ++k) text += (k ? ", " : "") + spec_.keys[k];
    text += "]";
    for (const auto& aggregation : spec_.aggregations) {
      text += std::string(" ") + compute::AggregateFunctionName(aggregation.function) + "(" + aggregation.column + ")";
    }
  }
  text += needs_shuffle() ? " via shuffle" : " split_every=" + std::to_string(spec_.split_every);
  return text + " split_out=" + std::to_string(spec_.split_out);
}

TablePtr GroupByNode::AggregateTable(const TablePtr& table) const {
  if (needs_shuffle()) {
    return Arrange(compute::GroupByAggregate(*table, spec_.keys, spec_.aggregations, {false, spec_.dropna}), spec_);
  }
  return Arrange(Finish(Combine(Partial(*table, spec_), spec_), spec_), spec_);
}

namespace {
enum GroupByStage { kGroupAggregate, kGroupChunk, kGroupCombine, kGroupFinish };

TablePtr CombineInputs(const graph::TaskInputs& task, const GroupBySpec& spec) {
  std::vector<TablePtr> tables;
  for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
  return Combine(ConcatenateTables(tables), spec);
}
}  // namespace

graph::ValuePtr GroupByNode::RunStage(int stage, const graph::TaskInputs& task) const {
  const GroupBySpec& spec = spec_;
  switch (stage) {
    case kGroupAggregate: {
      const TablePtr table = TableOf(task.Get(0));
      return std::make_shared<const TableValue>(
          Arrange(compute::GroupByAggregate(*table, spec.keys, spec.aggregations, {false, spec.dropna}), spec));
    }
    case kGroupChunk: {
      TablePtr partial = Partial(*TableOf(task.Get(0)), spec);
      if (spec.split_out == 1) return std::make_shared<const TableValue>(std::move(partial));
      return std::make_shared<const TableListValue>(compute::PartitionByHash(*partial, spec.keys, spec.split_out));
    }
    case kGroupCombine: return std::make_shared<const TableValue>(CombineInputs(task, spec));
    case kGroupFinish: return std::make_shared<const TableValue>(Arrange(Finish(CombineInputs(task, spec), spec), spec));
    default: return Node::RunStage(stage, task);
  }
}

void GroupByNode::WriteParameters(NodeWriter& out) const {
  out.Strings(spec_.keys);
  out.Int(int64_t(spec_.aggregations.size()));
  for (const auto& aggregation : spec_.aggregations) {
    out.String(aggregation.column);
    out.Int(int64_t(aggregation.function));
    out.String(aggregation.output_name);
  }
  for (bool flag : {spec_.sort, spec_.dropna, spec_.as_index, spec_.value_counts, spec_.normalize, spec_.ascending}) out.Bool(flag);
  out.Int(spec_.split_out);
  out.Int(spec_.split_every);
  out.Int(spec_.ddof);
}

NodePtr GroupByNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<GroupByNode>(new GroupByNode(inputs.at(0)));
  GroupBySpec& spec = node->spec_;
  spec.keys = in.Strings();
  for (size_t n = in.Count("aggregations", 24); n > 0; --n) {
    std::string column = in.String();
    const auto function = AggregateFunction(in.Int());
    spec.aggregations.emplace_back(std::move(column), function, in.String());
  }
  for (bool* flag : {&spec.sort, &spec.dropna, &spec.as_index, &spec.value_counts, &spec.normalize, &spec.ascending}) *flag = in.Bool();
  spec.split_out = in.Int();
  spec.split_every = in.Int();
  spec.ddof = int(in.Int());
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> GroupByNode::Lower(LoweringContext& context) const {
  const GroupBySpec spec = spec_;
  const std::string token = TokenText(this->token());
  const uint32_t output_name = graph::InternName(name());
  if (needs_shuffle()) {
    // Every row of a group meets in one shuffled partition, which is aggregated whole.
    const NodePtr projected = ProjectNode::Make(input(), [&] {
      std::vector<NamedExpr> columns;
      for (const auto& column : RequiredColumns()) columns.push_back({column, ColumnExpr::Column(column)});
      return columns;
    }());
    const auto& shuffled = context.Partitions(ShuffleNode::Make(projected, spec.keys, spec.split_out));
    const uint32_t aggregate = context.AddStage(*this, kGroupAggregate, prefix());
    std::vector<graph::Arg> partitions;
    for (size_t j = 0; j < shuffled.size(); ++j) partitions.push_back(context.AddTask(output_name, int64_t(j), aggregate, {shuffled[j]}));
    return partitions;
  }
  const auto& inputs = context.Partitions(input());
  const int64_t split_out = spec.split_out;
  const uint32_t chunk = context.AddStage(*this, kGroupChunk, prefix() + "-chunk");
  const uint32_t combine = context.AddStage(*this, kGroupCombine, prefix() + "-combine");
  const uint32_t aggregate = context.AddStage(*this, kGroupFinish, prefix() + "-agg");
  const uint32_t chunk_name = graph::InternName(prefix() + "-chunk-" + token);
  std::vector<graph::Arg> chunks;
  for (size_t i = 0; i < inputs.size(); ++i) chunks.push_back(context.AddTask(chunk_name, int64_t(i), chunk, {inputs[i]}));
  // Each chunk splits its partial aggregate by key into split_out pieces, and each output
  // combines only its own pieces.
  const auto pieces = split_out > 1 ? context.SplitPieces(chunks, split_out, prefix() + "-piece", token)
                                    : std::vector<std::vector<graph::Arg>>{chunks};
  std::vector<graph::Arg> partitions;
  for (int64_t piece = 0; piece < split_out; ++piece) {
    std::vector<graph::Arg> level = pieces[size_t(piece)];
    for (int depth = 0; level.size() > size_t(spec.split_every); ++depth) {
      const uint32_t name_id = graph::InternName(prefix() + "-combine-" + std::to_string(depth) + "-" +
                                                 std::to_string(piece) + "-" + token);
      std::vector<graph::Arg> next;
      for (size_t begin = 0; begin < level.size(); begin += size_t(spec.split_every)) {
        const size_t end = std::min(level.size(), begin + size_t(spec.split_every));
        next.push_back(context.AddTask(name_id, int64_t(next.size()), combine, {level.begin() + begin, level.begin() + end}));
      }
      level = std::move(next);
    }
    partitions.push_back(context.AddTask(output_name, piece, aggregate, std::move(level)));
  }
  return partitions;
}

}  // namespace tessera::expr
