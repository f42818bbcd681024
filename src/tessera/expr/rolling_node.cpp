// RollingNode: tail chain and per-partition windows.
#include "tessera/expr/rolling_node.hpp"

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

namespace {

const char* FunctionName(compute::RollingFunction function) {
  switch (function) {
    case compute::RollingFunction::kSum: return "sum";
    case compute::RollingFunction::kMean: return "mean";
    case compute::RollingFunction::kCount: return "count";
    case compute::RollingFunction::kMin: return "min";
    case compute::RollingFunction::kMax: return "max";
    case compute::RollingFunction::kVar: return "var";
    case compute::RollingFunction::kStd: return "std";
  }
  return "?";
}

// The rows of `table` a later partition's windows can reach.
TablePtr Tail(const TablePtr& table, const compute::RollingWindow& window) {
  const int64_t n = table->num_rows();
  if (window.rows > 0) {
    const int64_t keep = std::min(n, window.rows - 1);
    return table->Slice(n - keep, keep);
  }
  if (n == 0) return table;
  const int64_t* times = table->index()->values<int64_t>();
  const int64_t last = times[n - 1];
  const int64_t span = compute::SpanTicks(window.span, table->index()->type().unit());
  int64_t first = n;
  while (first > 0 && times[first - 1] > last - span) --first;
  return table->Slice(first, n - first);
}

}  // namespace

NodePtr RollingNode::Make(NodePtr input, compute::RollingWindow window, compute::RollingFunction function) {
  if (input->meta()->num_columns() != 1) throw Internal("rolling works on one column");
  auto node = std::shared_ptr<RollingNode>(new RollingNode(input));
  node->window_ = window;
  node->function_ = function;
  const uint64_t parameters = HashCombine(HashCombine(0x726f6c6c + uint64_t(window.rows), uint64_t(window.span)),
                                          uint64_t(window.min_periods) * 31 + uint64_t(window.ddof) * 7 + uint64_t(function));
  TablePtr meta = node->Apply(input->meta());
  node->Init(std::move(meta), input->npartitions(), input->divisions(), parameters);
  return node;
}

std::string RollingNode::Describe() const {
  return std::string("Rolling ") + FunctionName(function_) + " over " +
         (window_.rows > 0 ? std::to_string(window_.rows) + " rows" : std::to_string(window_.span) + " ns");
}

TablePtr RollingNode::Apply(const TablePtr& table) const {
  const Column* times = window_.rows > 0 ? nullptr : table->index().get();
  if (window_.rows == 0 && (times == nullptr || times->type().id() != TypeId::kTimestamp)) {
    throw InvalidArgument("a rolling time window needs a timestamp index; call set_index on a datetime column");
  }
  const ColumnPtr values = compute::Rolling(*table->column(0), times, window_, function_);
  return Table::Make(table->column_names(), {values}, table->index(), table->index_name());
}

graph::ValuePtr RollingNode::RunStage(int stage, const graph::TaskInputs& task) const {
  if (stage == 0) {
    std::vector<TablePtr> tables;
    for (size_t i = task.size(); i-- > 0;) tables.push_back(TableOf(task.Get(i)));  // earlier tail first
    return std::make_shared<const TableValue>(Tail(ConcatenateTables(tables), window_));
  }
  const TablePtr part = TableOf(task.Get(0));
  if (task.size() == 1) return std::make_shared<const TableValue>(Apply(part));
  const TablePtr before = TableOf(task.Get(1));
  const TablePtr rolled = Apply(ConcatenateTables({before, part}));
  return std::make_shared<const TableValue>(rolled->Slice(before->num_rows(), part->num_rows()));
}

void RollingNode::WriteParameters(NodeWriter& out) const {
  out.Int(window_.rows);
  out.Int(window_.span);
  out.Int(window_.min_periods);
  out.Int(window_.ddof);
  out.Int(int64_t(function_));
}

NodePtr RollingNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<RollingNode>(new RollingNode(inputs.at(0)));
  node->window_.rows = in.Int();
  node->window_.span = in.Int();
  node->window_.min_periods = in.Int();
  node->window_.ddof = int(in.Int());
  node->function_ = compute::RollingFunction(in.Int());
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> RollingNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  // tail i: what partitions 0..i-1 leave for partition i's windows.
  const uint32_t tail = context.AddStage(*this, 0, "rolling-tail");
  const uint32_t apply = context.AddStage(*this, 1, "rolling");
  const uint32_t tail_name = graph::InternName("rolling-tail-" + TokenText(token()));
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  graph::Arg previous_tail = graph::Arg::NoneArg();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i == 0) {
      partitions.push_back(context.AddTask(output_name, 0, apply, {inputs[0]}));
      continue;
    }
    std::vector<graph::Arg> tail_args{inputs[i - 1]};
    if (i > 1) tail_args.push_back(previous_tail);
    previous_tail = context.AddTask(tail_name, int64_t(i), tail, std::move(tail_args));
    partitions.push_back(context.AddTask(output_name, int64_t(i), apply, {inputs[i], previous_tail}));
  }
  return partitions;
}

}  // namespace tessera::expr
