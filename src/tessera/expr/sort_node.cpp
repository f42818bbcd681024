// SortByBoundariesNode: split by boundaries, gather, sort, index.
#include "tessera/expr/sort_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include <cmath>

#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

TablePtr SortIntoIndex(const TablePtr& table, const std::string& column) {
  TablePtr sorted = table;
  if (table->num_rows() > 1) sorted = compute::SortTable(*table, {{column, true}});
  return sorted->SetIndex(column);
}

NodePtr IndexByColumn(NodePtr input, const std::string& column, Divisions divisions) {
  auto function = [column](const TablePtr& table) { return table->SetIndex(column); };
  PortableFunction portable{"set-index", [column] { return column; }};
  return MapPartitionsNode::MakeWithDivisions(std::move(input), function, nullptr, "set-index-" + column,
                                              std::move(divisions), std::move(portable));
}

namespace {

// Whole first rows (a group-by's "first" would take each column's first non-null value).
MapPartitionsNode::Function FirstOfEachKey(std::vector<std::string> keys) {
  return [keys = std::move(keys)](const TablePtr& table) {
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
    return compute::Take(*table, rows);  // with the index: first occurrences keep their labels, as pandas'
  };
}

PortableFunction PortableFirstOfEachKey(const std::vector<std::string>& keys) {
  return {"drop-duplicates", [keys] {
            std::string bytes;
            NodeWriter out(&bytes);
            out.Strings(keys);
            return bytes;
          }};
}

}  // namespace

std::function<TablePtr(const TablePtr&)> ReadFirstOfEachKey(std::string_view bytes) {
  NodeReader in(bytes);
  return FirstOfEachKey(in.Strings());
}

NodePtr DropDuplicates(NodePtr input, std::vector<std::string> keys, int64_t split_out) {
  if (split_out < 1) throw InvalidArgument("split_out must be at least 1, got " + std::to_string(split_out));
  for (const auto& key : keys) input->meta()->column(key);  // KeyError naming the columns
  const auto chunks = MapPartitionsNode::Make(input, FirstOfEachKey(keys), nullptr, "drop-duplicates-chunk", false,
                                              PortableFirstOfEachKey(keys));
  const auto shuffled = ShuffleNode::Make(chunks, keys, split_out);
  return MapPartitionsNode::Make(shuffled, FirstOfEachKey(keys), nullptr, "drop-duplicates", false,
                                 PortableFirstOfEachKey(keys));
}

namespace {

// Whether a fixed-width column is sorted ascending without nulls (strings are not checked and
// count as unsorted, so they are always shuffled).
bool IsSortedColumn(const Column& column) {
  if (column.has_nulls() || !column.type().is_fixed_width() || column.type() == types::Categorical()) return false;
  return VisitFixedWidth(column.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* values = column.values<T>();
    for (int64_t i = 1; i < column.length(); ++i) {
      if (values[i] < values[i - 1]) return false;  // NaN compares false: checked by has_nulls for floats below
    }
    if constexpr (std::is_floating_point_v<T>) {
      for (int64_t i = 0; i < column.length(); ++i) {
        if (std::isnan(values[i])) return false;
      }
    }
    return true;
  });
}

// Per partition, one row per sampled value: the key's min and max, then an evenly spaced sample
// of its non-null values ("value"); whether the key is sorted there ("sorted") and the
// partition's bytes ("nbytes") repeated on every row. A partition whose keys are all missing
// gives one null row, an empty partition none.
MapPartitionsNode::Function Sampler(const std::string& column, int64_t samples) {
  return [column, samples](const TablePtr& table) {
    const ColumnPtr values = table->column(column);
    const ColumnPtr present = compute::Filter(*values, *compute::NotNull(*values));
    const int64_t n = present->length();
    std::vector<int64_t> rows;
    ColumnPtr extremes;  // min and max, found without sorting where a kernel can
    if (n > 0) {
      if (present->type() == types::Categorical()) {
        const ColumnPtr order = compute::SortIndices(*present);
        rows.push_back(order->values<int64_t>()[0]);
        rows.push_back(order->values<int64_t>()[n - 1]);
      } else {
        extremes = ConcatenateColumns({BroadcastScalar(compute::Min(*present), 1),
                                       BroadcastScalar(compute::Max(*present), 1)});
      }
      const int64_t k = std::min(n, samples);
      for (int64_t i = 0; i < k; ++i) rows.push_back(i * n / k);
    } else if (values->length() > 0) {
      rows.push_back(-1);  // keys all missing: one null row tells this from an empty partition
    }
    ColumnPtr sample = compute::Take(*present, rows);
    if (extremes != nullptr) sample = ConcatenateColumns({extremes, sample});
    FixedWidthBuilder<uint8_t> sorted(types::Bool(), sample->length());
    FixedWidthBuilder<int64_t> nbytes(types::Int64(), sample->length());
    const bool is_sorted = IsSortedColumn(*values);
    for (int64_t i = 0; i < sample->length(); ++i) {
      sorted.Append(is_sorted ? 1 : 0);
      nbytes.Append(table->nbytes());
    }
    return Table::Make({"value", "sorted", "nbytes"}, {sample, sorted.Finish(), nbytes.Finish()});
  };
}

PortableFunction PortableSampler(const std::string& column, int64_t samples) {
  return {"set-index-sample", [column, samples] {
            std::string bytes;
            NodeWriter out(&bytes);
            out.String(column);
            out.Int(samples);
            return bytes;
          }};
}

}  // namespace

std::function<TablePtr(const TablePtr&)> ReadSetIndexSampler(std::string_view bytes) {
  NodeReader in(bytes);
  std::string column = in.String();
  return Sampler(column, in.Int());
}

std::vector<NodePtr> SetIndexSamples(const NodePtr& input, const std::string& column, int64_t samples_per_partition) {
  std::vector<NodePtr> samples;
  for (int64_t p = 0; p < input->npartitions(); ++p) {
    samples.push_back(MapPartitionsNode::Make(PartitionsNode::Make(input, {p}), Sampler(column, samples_per_partition),
                                              nullptr, "set-index-sample", false,
                                              PortableSampler(column, samples_per_partition)));
  }
  return samples;
}

NodePtr SetIndexFromSamples(const NodePtr& input, const std::string& column, const std::vector<TablePtr>& sampled,
                            int64_t outputs, bool declared_sorted, const std::string& shuffle, int64_t memory_limit) {
  // Already sorted across partitions (or declared so): index each partition, no shuffle. Empty
  // partitions have no boundary to give and are dropped. Equal keys must not straddle two
  // partitions: partition i holds divisions[i] <= key < divisions[i + 1].
  bool sorted = true;
  Divisions divisions;
  std::vector<int64_t> nonempty;
  for (size_t p = 0; p < sampled.size() && sorted; ++p) {
    const Table& sample = *sampled[p];
    if (sample.num_rows() == 0) continue;
    sorted &= sample.column("sorted")->values<uint8_t>()[0] != 0;
    if (!sorted) break;
    const compute::Scalar low = ScalarAt(*sample.column("value"), 0);
    if (!nonempty.empty()) {
      const ColumnPtr previous_high = sampled[size_t(nonempty.back())]->column("value")->Slice(1, 1);
      sorted &= compute::Less(*previous_high, low)->values<uint8_t>()[0] != 0;
    }
    nonempty.push_back(int64_t(p));
    divisions.push_back(low);
  }
  if (declared_sorted && !sorted) {
    throw InvalidArgument("set_index(sorted=true): '" + column +
                          "' is not sorted across partitions; leave sorted=false to sort it");
  }
  if (sorted && !nonempty.empty()) {
    divisions.push_back(ScalarAt(*sampled[size_t(nonempty.back())]->column("value"), 1));
    const NodePtr kept = nonempty.size() < sampled.size() ? PartitionsNode::Make(input, nonempty) : input;
    return IndexByColumn(kept, column, divisions);
  }
  // Boundaries at quantiles of the pooled sample (nulls left out), from the smallest to the
  // largest value.
  const TablePtr pooled = ConcatenateTables(sampled);
  const ColumnPtr present = compute::Filter(*pooled->column("value"), *compute::NotNull(*pooled->column("value")));
  const ColumnPtr values = compute::Take(*present, *compute::SortIndices(*present));
  const int64_t m = values->length();
  if (m == 0) return IndexByColumn(input, column, {});
  std::vector<compute::Scalar> boundaries;
  for (int64_t i = 0; i < outputs; ++i) boundaries.push_back(ScalarAt(*values, i * m / outputs));
  boundaries.push_back(ScalarAt(*values, m - 1));
  // Gathering straight from the inputs holds all of them and the output at once; above half
  // the memory limit, rows move as spillable pieces instead.
  int64_t input_bytes = 0;
  for (const auto& sample : sampled) {
    if (sample->num_rows() > 0) input_bytes += sample->column("nbytes")->values<int64_t>()[0];
  }
  const bool pieces = shuffle == "pieces" || (shuffle == "auto" && memory_limit > 0 && 2 * input_bytes > memory_limit);
  using Method = SortByBoundariesNode::Method;
  return SortByBoundariesNode::Make(input, column, std::move(boundaries), pieces ? Method::kPieces : Method::kDirect);
}


NodePtr SortByBoundariesNode::Make(NodePtr input, std::string column, std::vector<compute::Scalar> boundaries,
                                   Method method) {
  if (boundaries.size() < 2) throw InvalidArgument("set_index needs at least two division boundaries");
  input->meta()->column(column);  // KeyError naming the columns
  auto node = std::shared_ptr<SortByBoundariesNode>(new SortByBoundariesNode(input));
  node->column_ = std::move(column);
  node->method_ = method;
  uint64_t parameters = HashText(node->column_, 0x736f7274 + uint64_t(method));
  for (const auto& boundary : boundaries) parameters = HashText(boundary.ToString(), parameters);
  const int64_t npartitions = int64_t(boundaries.size()) - 1;
  node->Init(SortIntoIndex(input->meta(), node->column_), npartitions, std::move(boundaries), parameters);
  return node;
}

std::string SortByBoundariesNode::Describe() const {
  return std::string("SetIndex ") + (method_ == Method::kPieces ? "(spillable pieces) " : "") + column_ + " into " + std::to_string(npartitions()) + " partitions [" +
         divisions().front().ToString() + " .. " + divisions().back().ToString() + "]";
}

namespace {

// Rows (source_of[k], rows[k]) of `sources` sorted by `column` (whose values `keys`, the same
// tables cut to that column, hold) and indexed by it. Only the key column is copied before the
// sort; every other column is copied once, straight into the output.
TablePtr GatherSorted(const std::vector<TablePtr>& sources, const std::vector<TablePtr>& keys,
                      const std::vector<int32_t>& source_of, const std::vector<int64_t>& rows, const std::string& column) {
  const ColumnPtr key = compute::TakeFromTables(keys, source_of, rows)->column(0);
  const ColumnPtr order = compute::SortIndices(*key);
  const int64_t* permutation = order->values<int64_t>();
  std::vector<int32_t> sorted_source(source_of.size());
  std::vector<int64_t> sorted_rows(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    sorted_source[k] = source_of[size_t(permutation[k])];
    sorted_rows[k] = rows[size_t(permutation[k])];
  }
  return compute::TakeFromTables(sources, sorted_source, sorted_rows)->SetIndex(column);
}

// The rows of one input partition that go to each output partition (ascending row numbers).
class RowListsValue final : public graph::Value {
 public:
  explicit RowListsValue(std::vector<std::vector<int64_t>> rows) : rows_(std::move(rows)) {
    static const bool registered = [] {
      graph::RegisterValueType("row-lists", [](ByteReader& in) -> graph::ValuePtr {
        std::vector<std::vector<int64_t>> rows(in.ReadRaw<uint64_t>());
        for (auto& list : rows) {
          const uint64_t count = in.ReadRaw<uint64_t>();
          in.Require(int64_t(count * sizeof(int64_t)), "row list");
          list.resize(count);
          in.Read(list.data(), count * sizeof(int64_t));
        }
        return std::make_shared<const RowListsValue>(std::move(rows));
      });
      return true;
    }();
    (void)registered;
  }
  std::string_view type_name() const override { return "row-lists"; }
  void Serialize(ByteSink& out) const override {
    out.WriteRaw(uint64_t(rows_.size()));
    for (const auto& list : rows_) {
      out.WriteRaw(uint64_t(list.size()));
      out.Write(list.data(), list.size() * sizeof(int64_t));
    }
  }
  const std::vector<std::vector<int64_t>>& rows() const { return rows_; }
  int64_t nbytes() const override {
    int64_t total = 0;
    for (const auto& list : rows_) total += int64_t(list.size() * sizeof(int64_t));
    return total;
  }

 private:
  std::vector<std::vector<int64_t>> rows_;
};

}  // namespace

namespace {
enum SortStage { kListRows, kGatherRows, kSplitPieces, kSortPieces };
}  // namespace

graph::ValuePtr SortByBoundariesNode::RunStage(int stage, const graph::TaskInputs& task) const {
  const std::vector<compute::Scalar>& boundaries = divisions();
  switch (stage) {
    case kListRows: {
      const std::vector<int32_t> ids = compute::PartitionIdsByBoundaries(*TableOf(task.Get(0)), column_, boundaries);
      std::vector<std::vector<int64_t>> rows(static_cast<size_t>(npartitions()));
      for (size_t row = 0; row < ids.size(); ++row) rows[size_t(ids[row])].push_back(int64_t(row));
      return std::make_shared<const RowListsValue>(std::move(rows));
    }
    case kGatherRows: {
      const size_t num_inputs = task.size() / 2;
      const size_t piece = size_t(task.key().index);
      std::vector<TablePtr> sources, keys;
      std::vector<int32_t> source_of;
      std::vector<int64_t> rows;
      for (size_t i = 0; i < num_inputs; ++i) {
        sources.push_back(TableOf(task.Get(i)));
        keys.push_back(sources.back()->SelectColumns({column_}));
        const auto* lists = dynamic_cast<const RowListsValue*>(task.Get(num_inputs + i).get());
        if (lists == nullptr) throw Internal("set-index expects row lists");
        for (int64_t row : lists->rows().at(piece)) {
          source_of.push_back(int32_t(i));
          rows.push_back(row);
        }
      }
      return std::make_shared<const TableValue>(GatherSorted(sources, keys, source_of, rows, column_));
    }
    case kSplitPieces:
      return std::make_shared<const TableListValue>(compute::PartitionByBoundaries(*TableOf(task.Get(0)), column_, boundaries));
    case kSortPieces: {
      std::vector<TablePtr> pieces, keys;
      std::vector<int32_t> source_of;
      std::vector<int64_t> rows;
      for (size_t i = 0; i < task.size(); ++i) {
        pieces.push_back(TableOf(task.Get(i)));
        keys.push_back(pieces.back()->SelectColumns({column_}));
        for (int64_t row = 0; row < pieces.back()->num_rows(); ++row) {
          source_of.push_back(int32_t(i));
          rows.push_back(row);
        }
      }
      return std::make_shared<const TableValue>(GatherSorted(pieces, keys, source_of, rows, column_));
    }
    default: return Node::RunStage(stage, task);
  }
}

void SortByBoundariesNode::WriteParameters(NodeWriter& out) const {
  out.String(column_);
  out.Int(int64_t(method_));
}

NodePtr SortByBoundariesNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<SortByBoundariesNode>(new SortByBoundariesNode(inputs.at(0)));
  node->column_ = in.String();
  node->method_ = Method(in.Int());
  node->Restore(shape);
  return node;
}

// Rows move once: split tasks only decide where each row goes; the task of an output partition
// sorts its rows by key and gathers every column straight from the input partitions.
std::vector<graph::Arg> SortByBoundariesNode::Lower(LoweringContext& context) const {
  if (method_ == Method::kPieces) return LowerPieces(context);
  const auto& inputs = context.Partitions(input());
  const uint32_t split = context.AddStage(*this, kListRows, "set-index-split");
  const uint32_t gather = context.AddStage(*this, kGatherRows, "set-index");
  const uint32_t split_name = graph::InternName("set-index-split-" + TokenText(token()));
  std::vector<graph::Arg> args(inputs.begin(), inputs.end());
  for (size_t i = 0; i < inputs.size(); ++i) args.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < npartitions(); ++j) partitions.push_back(context.AddTask(output_name, j, gather, args));
  return partitions;
}

std::vector<graph::Arg> SortByBoundariesNode::LowerPieces(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const int64_t outputs = npartitions();
  // split i -> piece (i, j) for every output j -> output j from pieces (*, j).
  const uint32_t split = context.AddStage(*this, kSplitPieces, "set-index-split");
  const uint32_t gather = context.AddStage(*this, kSortPieces, "set-index");
  const std::string token = TokenText(this->token());
  const uint32_t split_name = graph::InternName("set-index-split-" + token);
  std::vector<graph::Arg> splits;
  for (size_t i = 0; i < inputs.size(); ++i) splits.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const auto pieces = context.SplitPieces(splits, outputs, "set-index-piece", token);
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < outputs; ++j) partitions.push_back(context.AddTask(output_name, j, gather, pieces[size_t(j)]));
  return partitions;
}

}  // namespace tessera::expr
