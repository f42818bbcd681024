// MergeNode: plan choice and lowering.
#include "tessera/expr/merge_node.hpp"

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/type_promotion.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

namespace {

const char* PlanName(MergeNode::Plan plan) {
  switch (plan) {
    case MergeNode::Plan::kBroadcastRight: return "broadcast right";
    case MergeNode::Plan::kBroadcastLeft: return "broadcast left";
    case MergeNode::Plan::kAligned: return "aligned on divisions";
    case MergeNode::Plan::kShuffle: return "hash shuffle";
  }
  return "?";
}

bool SameDivisions(const Node& a, const Node& b) {
  if (!a.known_divisions() || !b.known_divisions() || a.npartitions() != b.npartitions()) return false;
  for (size_t i = 0; i < a.divisions().size(); ++i) {
    if (!(a.divisions()[i] == b.divisions()[i])) return false;
  }
  return true;
}

// The keys a side is shuffled by: a hidden column holding the key in a type both sides share,
// so equal keys hash alike (an int64 5 and a float64 5.0 are one key).
const char* kShuffleKey = "__merge_key_";

TablePtr WithShuffleKeys(const TablePtr& table, const std::vector<std::string>& keys, bool use_index,
                         const std::vector<DataType>& types) {
  TablePtr out = table;
  for (size_t k = 0; k < types.size(); ++k) {
    const ColumnPtr& source = use_index ? table->index() : table->column(keys[k]);
    if (source == nullptr) throw InvalidArgument("merge on the index needs an index; call set_index first");
    ColumnPtr key = source->type() == types[k] ? source : compute::Cast(*source, types[k]);
    out = out->SetColumn(kShuffleKey + std::to_string(k), std::move(key));
  }
  return out;
}

TablePtr WithoutShuffleKeys(const TablePtr& table, size_t count) {
  TablePtr out = table;
  for (size_t k = 0; k < count; ++k) out = out->DropColumn(kShuffleKey + std::to_string(k));
  return out;
}

// One shared type per key pair: numbers meet in their promoted type, categoricals as strings,
// timestamps (durations) in the finer unit, anything else as it is (the join kernel rejects pairs that cannot match).
DataType SharedKeyType(DataType a, DataType b) {
  auto plain = [](DataType t) { return t == types::Categorical() ? types::String() : t; };
  a = plain(a);
  b = plain(b);
  if (a == b) return a;
  const bool numeric_a = a.is_numeric() || a == types::Bool(), numeric_b = b.is_numeric() || b == types::Bool();
  if (numeric_a && numeric_b) return types::Float64();
  if (a.has_unit() && a.id() == b.id()) return DataType(a.id(), FinerUnit(a.unit(), b.unit()));
  return a;
}

}  // namespace

NodePtr MergeNode::Make(NodePtr left, NodePtr right, compute::JoinOptions options, int64_t npartitions) {
  using compute::JoinType;
  // Validates keys and types, and gives the result's columns.
  TablePtr meta = compute::Join(*left->meta(), *right->meta(), options);
  auto node = std::shared_ptr<MergeNode>(new MergeNode(left, right));
  node->options_ = options;
  node->shuffle_partitions_ = npartitions;
  const bool both_index = options.left_index && options.right_index;
  if (both_index && SameDivisions(*left, *right)) {
    node->plan_ = Plan::kAligned;
  } else if (right->npartitions() == 1 && (options.how == JoinType::kInner || options.how == JoinType::kLeft)) {
    node->plan_ = Plan::kBroadcastRight;
  } else if (left->npartitions() == 1 && (options.how == JoinType::kInner || options.how == JoinType::kRight)) {
    node->plan_ = Plan::kBroadcastLeft;
  } else {
    node->plan_ = Plan::kShuffle;
  }
  int64_t count = 0;
  Divisions divisions;
  switch (node->plan_) {
    case Plan::kAligned:
      count = left->npartitions();
      divisions = left->divisions();
      break;
    case Plan::kBroadcastRight: count = left->npartitions(); break;
    case Plan::kBroadcastLeft: count = right->npartitions(); break;
    case Plan::kShuffle: count = npartitions > 0 ? npartitions : std::max(left->npartitions(), right->npartitions()); break;
  }
  uint64_t parameters = HashText(std::string(compute::JoinTypeName(options.how)) + options.suffixes.first + "/" +
                                     options.suffixes.second + std::to_string(options.left_index) +
                                     std::to_string(options.right_index) + std::to_string(options.sort),
                                 0x6d657267 + uint64_t(count));
  for (const auto& key : options.left_on) parameters = HashText(key, parameters) + 1;
  for (const auto& key : options.right_on) parameters = HashText(key, parameters) + 3;
  node->Init(meta->Slice(0, 0), count, std::move(divisions), parameters);
  return node;
}

std::string MergeNode::Describe() const {
  return std::string("Merge how=") + compute::JoinTypeName(options_.how) + " (" + PlanName(plan_) + ")";
}

namespace {

enum MergeStage { kMergeJoin, kMergeSplitLeft, kMergeSplitRight, kMergeJoinPieces };

// How a shuffle merge keys both sides: each side's key columns (or its index) and the type both
// sides' keys are cast to so equal keys hash alike.
struct ShuffleKeys {
  std::vector<std::string> left, right;
  std::vector<DataType> shared;
  size_t count = 0;
};

ShuffleKeys KeysOf(const compute::JoinOptions& options, const Table& left_meta, const Table& right_meta) {
  ShuffleKeys keys;
  keys.left = options.left_on;
  keys.right = options.right_on;
  if (keys.left.empty() && !options.left_index && !options.right_index) {
    for (const auto& name : left_meta.column_names()) {
      if (right_meta.schema().FieldIndex(name) >= 0) keys.left.push_back(name);
    }
    keys.right = keys.left;
  }
  keys.count = options.left_index ? 1 : keys.left.size();
  for (size_t k = 0; k < keys.count; ++k) {
    const DataType a = options.left_index ? left_meta.index()->type() : left_meta.column(keys.left[k])->type();
    const DataType b = options.right_index ? right_meta.index()->type() : right_meta.column(keys.right[k])->type();
    keys.shared.push_back(SharedKeyType(a, b));
  }
  return keys;
}

}  // namespace

graph::ValuePtr MergeNode::RunStage(int stage, const graph::TaskInputs& task) const {
  if (stage == kMergeJoin) {
    return std::make_shared<const TableValue>(compute::Join(*TableOf(task.Get(0)), *TableOf(task.Get(1)), options_));
  }
  const ShuffleKeys keys = KeysOf(options_, *inputs()[0]->meta(), *inputs()[1]->meta());
  if (stage == kMergeSplitLeft || stage == kMergeSplitRight) {
    const bool left = stage == kMergeSplitLeft;
    std::vector<std::string> hidden;
    for (size_t k = 0; k < keys.count; ++k) hidden.push_back(kShuffleKey + std::to_string(k));
    const TablePtr keyed = WithShuffleKeys(TableOf(task.Get(0)), left ? keys.left : keys.right,
                                           left ? options_.left_index : options_.right_index, keys.shared);
    return std::make_shared<const TableListValue>(compute::PartitionByHash(*keyed, hidden, npartitions()));
  }
  if (stage != kMergeJoinPieces) return Node::RunStage(stage, task);
  const size_t left_count = size_t(inputs()[0]->npartitions());
  std::vector<TablePtr> left_pieces, right_pieces;
  for (size_t i = 0; i < task.size(); ++i) {
    (i < left_count ? left_pieces : right_pieces).push_back(WithoutShuffleKeys(TableOf(task.Get(i)), keys.count));
  }
  return std::make_shared<const TableValue>(
      compute::Join(*ConcatenateTables(left_pieces), *ConcatenateTables(right_pieces), options_));
}

void MergeNode::WriteParameters(NodeWriter& out) const {
  out.Int(int64_t(options_.how));
  out.Strings(options_.left_on);
  out.Strings(options_.right_on);
  out.Bool(options_.left_index);
  out.Bool(options_.right_index);
  out.String(options_.suffixes.first);
  out.String(options_.suffixes.second);
  out.Bool(options_.sort);
  out.Int(int64_t(plan_));
  out.Int(shuffle_partitions_);
}

NodePtr MergeNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  if (inputs.size() != 2) throw IOError("a merge stage needs two inputs");
  auto node = std::shared_ptr<MergeNode>(new MergeNode(inputs[0], inputs[1]));
  compute::JoinOptions& options = node->options_;
  options.how = compute::JoinType(in.Int());
  options.left_on = in.Strings();
  options.right_on = in.Strings();
  options.left_index = in.Bool();
  options.right_index = in.Bool();
  options.suffixes.first = in.String();
  options.suffixes.second = in.String();
  options.sort = in.Bool();
  node->plan_ = Plan(in.Int());
  node->shuffle_partitions_ = in.Int();
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> MergeNode::Lower(LoweringContext& context) const {
  const auto& left = context.Partitions(inputs()[0]);
  const auto& right = context.Partitions(inputs()[1]);
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  if (plan_ != Plan::kShuffle) {
    const uint32_t join = context.AddStage(*this, kMergeJoin, "merge");
    for (int64_t i = 0; i < npartitions(); ++i) {
      const graph::Arg l = plan_ == Plan::kBroadcastLeft ? left[0] : left[size_t(i)];
      const graph::Arg r = plan_ == Plan::kBroadcastRight ? right[0] : right[size_t(i)];
      partitions.push_back(context.AddTask(output_name, i, join, {l, r}));
    }
    return partitions;
  }
  // Shuffle both sides by their keys (cast to one type per key pair), then join piece by piece.
  const int64_t pieces = npartitions();
  const uint32_t split_left = context.AddStage(*this, kMergeSplitLeft, "merge-split");
  const uint32_t split_right = context.AddStage(*this, kMergeSplitRight, "merge-split");
  const uint32_t join = context.AddStage(*this, kMergeJoinPieces, "merge");
  const std::string token = TokenText(this->token());
  const uint32_t left_name = graph::InternName("merge-split-left-" + token);
  const uint32_t right_name = graph::InternName("merge-split-right-" + token);
  std::vector<graph::Arg> left_splits, right_splits;
  for (size_t i = 0; i < left.size(); ++i) left_splits.push_back(context.AddTask(left_name, int64_t(i), split_left, {left[i]}));
  for (size_t i = 0; i < right.size(); ++i) right_splits.push_back(context.AddTask(right_name, int64_t(i), split_right, {right[i]}));
  const auto left_pieces = context.SplitPieces(left_splits, pieces, "merge-piece-left", token);
  const auto right_pieces = context.SplitPieces(right_splits, pieces, "merge-piece-right", token);
  for (int64_t j = 0; j < pieces; ++j) {
    std::vector<graph::Arg> args = left_pieces[size_t(j)];
    args.insert(args.end(), right_pieces[size_t(j)].begin(), right_pieces[size_t(j)].end());
    partitions.push_back(context.AddTask(output_name, j, join, std::move(args)));
  }
  return partitions;
}

}  // namespace tessera::expr
