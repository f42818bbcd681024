#include "tessera/expr/broadcast_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

namespace {

// `frame` with column names[k] holding values[k] on every row.
TablePtr WithScalarColumns(const TablePtr& frame, const std::vector<compute::Scalar>& values,
                           const std::vector<std::string>& names) {
  TablePtr result = frame;
  for (size_t k = 0; k < names.size(); ++k) {
    result = result->SetColumn(names[k], ColumnExpr::Literal(values[k])->Evaluate(*frame));
  }
  return result;
}

// The value a scalar node computed: the first row of its first column.
compute::Scalar ScalarValue(const Table& scalar) {
  if (scalar.num_columns() < 1 || scalar.num_rows() != 1) {
    throw Internal("broadcast of a scalar whose partition has " + std::to_string(scalar.num_rows()) + " rows");
  }
  return ScalarAt(*scalar.column(0), 0);
}

}  // namespace

NodePtr BroadcastScalarsNode::Make(NodePtr frame, std::vector<NodePtr> scalars, std::vector<std::string> names) {
  if (scalars.size() != names.size()) throw Internal("broadcast: one name per scalar");
  uint64_t parameters = 0x62636173;
  std::vector<compute::Scalar> typed_nulls;  // give the meta each scalar's dtype
  for (size_t k = 0; k < scalars.size(); ++k) {
    const auto& scalar = scalars[k];
    if (scalar->npartitions() != 1 || scalar->meta()->num_columns() < 1) {
      throw InvalidArgument("only a single value (a reduction such as sum() or mean()) can be used on every row; "
                            "this one has " + std::to_string(scalar->npartitions()) + " partitions");
    }
    if (frame->meta()->schema().FieldIndex(names[k]) >= 0) {
      throw Internal("broadcast column '" + names[k] + "' is already a column of the frame");
    }
    parameters = HashText(names[k], parameters);
    typed_nulls.push_back(compute::Scalar::Null(scalar->meta()->column(0)->type()));
  }
  std::vector<NodePtr> inputs{frame};
  inputs.insert(inputs.end(), scalars.begin(), scalars.end());
  auto node = std::shared_ptr<BroadcastScalarsNode>(new BroadcastScalarsNode(std::move(inputs)));
  node->names_ = std::move(names);
  TablePtr meta = WithScalarColumns(frame->meta(), typed_nulls, node->names_);
  node->Init(std::move(meta), frame->npartitions(), frame->divisions(), parameters);
  return node;
}

std::string BroadcastScalarsNode::Describe() const {
  std::string text = "BroadcastScalars";
  for (const auto& name : names_) text += " " + name;
  return text;
}

NodePtr BroadcastScalarsNode::WithInputs(std::vector<NodePtr> inputs) const {
  NodePtr frame = inputs.at(0);
  std::vector<NodePtr> scalars(inputs.begin() + 1, inputs.end());
  return Make(std::move(frame), std::move(scalars), names_);
}

graph::ValuePtr BroadcastScalarsNode::RunStage(int, const graph::TaskInputs& task) const {
  std::vector<compute::Scalar> values;
  for (size_t k = 1; k < task.size(); ++k) values.push_back(ScalarValue(*TableOf(task.Get(k))));
  return std::make_shared<const TableValue>(WithScalarColumns(TableOf(task.Get(0)), values, names_));
}

void BroadcastScalarsNode::WriteParameters(NodeWriter& out) const { out.Strings(names_); }

NodePtr BroadcastScalarsNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<BroadcastScalarsNode>(new BroadcastScalarsNode(std::move(inputs)));
  node->names_ = in.Strings();
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> BroadcastScalarsNode::Lower(LoweringContext& context) const {
  const auto& frame = context.Partitions(input());
  std::vector<graph::Arg> scalars;
  for (size_t k = 1; k < inputs().size(); ++k) scalars.push_back(context.Partitions(inputs()[k]).at(0));
  const uint32_t function = context.AddStage(*this, 0, prefix());
  const uint32_t name_id = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (size_t i = 0; i < frame.size(); ++i) {
    std::vector<graph::Arg> args{frame[i]};
    args.insert(args.end(), scalars.begin(), scalars.end());
    partitions.push_back(context.AddTask(name_id, int64_t(i), function, std::move(args)));
  }
  return partitions;
}

}  // namespace tessera::expr
