// ReduceNode: partial states per partition, tree combine, finish.
#include "tessera/expr/reduction.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/compute/value_counts.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

using compute::Scalar;

const char* ReduceFunctionName(ReduceFunction function) {
  switch (function) {
    case ReduceFunction::kSum: return "sum";
    case ReduceFunction::kMean: return "mean";
    case ReduceFunction::kCount: return "count";
    case ReduceFunction::kSize: return "size";
    case ReduceFunction::kMin: return "min";
    case ReduceFunction::kMax: return "max";
    case ReduceFunction::kVar: return "var";
    case ReduceFunction::kStd: return "std";
    case ReduceFunction::kNUnique: return "nunique";
    case ReduceFunction::kAny: return "any";
    case ReduceFunction::kAll: return "all";
    case ReduceFunction::kIdxMin: return "idxmin";
    case ReduceFunction::kIdxMax: return "idxmax";
    case ReduceFunction::kQuantile: return "quantile";
  }
  return "?";
}

Scalar ScalarAt(const Column& column, int64_t row) {
  if (column.IsNull(row)) return Scalar::Null(column.type());
  if (column.type() == types::Categorical()) {
    return Scalar::String(std::string(column.dictionary()->GetString(column.values<int32_t>()[row])));
  }
  return compute::Min(*column.Slice(row, 1));  // the one value, typed
}

ColumnPtr BroadcastScalar(const Scalar& value, int64_t rows) {
  std::vector<int64_t> none(size_t(rows), -1);
  auto empty = Table::MakeEmpty(Schema({Field{"v", value.type()}}));
  return compute::FillNull(*compute::Take(*empty->column(0), none), value);
}

namespace {

constexpr int64_t kQuantileSketchPoints = 512;

// Everything one reduction of one column can carry between partitions.
struct ReducerState {
  compute::SumState sum;
  compute::MomentsState moments;
  compute::MinMaxState minmax;
  int64_t count = 0;
  ColumnPtr distinct;        // nunique: distinct values seen so far
  bool any = false;
  bool all = true;
  Scalar best = Scalar::Null(types::Int64());   // idxmin/idxmax: best value so far ...
  Scalar label = Scalar::Null(types::Int64());  // ... and its index label (or row position)
  int64_t rows = 0;                             // rows covered (row positions without an index)
  bool has_index = false;
  std::vector<double> sketch_values;  // quantile: sorted sample points ...
  std::vector<double> sketch_weights; // ... and the rows each stands for
  std::optional<DataType> temporal;   // mean of timestamps/durations: their type, ...
  __int128 nanos = 0;                 // ... and the exact sum (with `count` values)
};

bool IsTemporalMean(const Column& column) {
  return column.type().id() == TypeId::kTimestamp || column.type().id() == TypeId::kDuration;
}

void WriteState(NodeWriter& out, const ReducerState& state) {
  out.Type(state.sum.type);
  out.Int(int64_t(state.sum.integer));
  out.Double(state.sum.floating);
  out.Int(state.sum.count);
  out.Int(state.moments.count);
  out.Double(state.moments.mean);
  out.Double(state.moments.m2);
  out.Scalar(state.minmax.min);
  out.Scalar(state.minmax.max);
  out.Int(state.count);
  out.Bool(state.distinct != nullptr);
  if (state.distinct) out.Table(Table::Make({"distinct"}, {state.distinct}));
  out.Bool(state.any);
  out.Bool(state.all);
  out.Scalar(state.best);
  out.Scalar(state.label);
  out.Int(state.rows);
  out.Bool(state.has_index);
  out.Int(int64_t(state.sketch_values.size()));
  for (size_t i = 0; i < state.sketch_values.size(); ++i) {
    out.Double(state.sketch_values[i]);
    out.Double(state.sketch_weights[i]);
  }
  out.Bool(state.temporal.has_value());
  if (state.temporal) out.Type(*state.temporal);
  out.Int(int64_t(uint64_t(state.nanos)));
  out.Int(int64_t(uint64_t(state.nanos >> 64)));
}

ReducerState ReadState(NodeReader& in) {
  ReducerState state;
  state.sum.type = in.Type();
  state.sum.integer = uint64_t(in.Int());
  state.sum.floating = in.Double();
  state.sum.count = in.Int();
  state.moments.count = in.Int();
  state.moments.mean = in.Double();
  state.moments.m2 = in.Double();
  state.minmax.min = in.Scalar();
  state.minmax.max = in.Scalar();
  state.count = in.Int();
  if (in.Bool()) state.distinct = in.Table()->column(0);
  state.any = in.Bool();
  state.all = in.Bool();
  state.best = in.Scalar();
  state.label = in.Scalar();
  state.rows = in.Int();
  state.has_index = in.Bool();
  for (size_t n = in.Count("sketch points", 16); n > 0; --n) {
    state.sketch_values.push_back(in.Double());
    state.sketch_weights.push_back(in.Double());
  }
  if (in.Bool()) state.temporal = in.Type();
  const uint64_t low = uint64_t(in.Int());
  const uint64_t high = uint64_t(in.Int());
  state.nanos = __int128((static_cast<unsigned __int128>(high) << 64) | low);
  return state;
}

class PartialValue final : public graph::Value {
 public:
  explicit PartialValue(std::vector<ReducerState> states) : states_(std::move(states)) {
    static const bool registered = [] {
      graph::RegisterValueType("reduction-partial", [](ByteReader& source) -> graph::ValuePtr {
        std::string bytes(size_t(source.remaining()), '\0');
        source.Read(bytes.data(), bytes.size());
        NodeReader in(bytes);
        std::vector<ReducerState> states;
        for (size_t n = in.Count("reduction states", 8); n > 0; --n) states.push_back(ReadState(in));
        return std::make_shared<const PartialValue>(std::move(states));
      });
      return true;
    }();
    (void)registered;
  }
  std::string_view type_name() const override { return "reduction-partial"; }
  void Serialize(ByteSink& sink) const override {
    std::string bytes;
    NodeWriter out(&bytes);
    out.Int(int64_t(states_.size()));
    for (const auto& state : states_) WriteState(out, state);
    sink.Write(bytes);
  }
  const std::vector<ReducerState>& states() const { return states_; }
  int64_t nbytes() const override {
    int64_t total = int64_t(sizeof(ReducerState) * states_.size());
    for (const auto& state : states_) {
      if (state.distinct) total += state.distinct->nbytes();
      total += int64_t(state.sketch_values.size() * 16);
    }
    return total;
  }

 private:
  std::vector<ReducerState> states_;
};

bool ScalarLess(const Scalar& a, const Scalar& b) { return compute::CompareScalars(a, b).value_or(0) < 0; }


ReducerState Chunk(const Table& table, const ReduceSpec& spec) {
  ReducerState state;
  state.rows = table.num_rows();
  state.has_index = table.has_index();
  if (spec.function == ReduceFunction::kSize) {
    state.count = table.num_rows();
    return state;
  }
  const Column& column = *table.column(spec.column);
  switch (spec.function) {
    case ReduceFunction::kSum: state.sum = compute::SumPartial(column, /*for_mean=*/false); break;
    case ReduceFunction::kMean:
      if (!IsTemporalMean(column)) {
        state.sum = compute::SumPartial(column);
        break;
      }
      // As compute::Mean: exact in 128 bits, truncated to a nanosecond, of the column's type.
      state.temporal = column.type();
      for (int64_t i = 0; i < column.length(); ++i) {
        if (!column.IsValid(i)) continue;
        state.nanos += column.values<int64_t>()[i];
        ++state.count;
      }
      break;
    case ReduceFunction::kCount: state.count = compute::Count(column).as_int64(); break;
    case ReduceFunction::kMin:
    case ReduceFunction::kMax: state.minmax = compute::MinMaxPartial(column); break;
    case ReduceFunction::kVar:
    case ReduceFunction::kStd: state.moments = compute::MomentsPartial(column); break;
    case ReduceFunction::kNUnique: state.distinct = compute::Unique(column); break;
    case ReduceFunction::kAny: state.any = compute::Any(column).as_bool(); break;
    case ReduceFunction::kAll: state.all = compute::All(column).as_bool(); break;
    case ReduceFunction::kIdxMin:
    case ReduceFunction::kIdxMax: {
      const Scalar best = spec.function == ReduceFunction::kIdxMin ? compute::Min(column) : compute::Max(column);
      state.best = best;
      if (table.has_index()) state.label = Scalar::Null(table.index()->type());  // typed for meta
      if (best.is_null()) break;
      const ColumnPtr equal = compute::Equal(column, best);
      const uint8_t* flags = equal->values<uint8_t>();
      int64_t position = 0;
      while (!flags[position]) ++position;
      state.label = table.has_index() ? ScalarAt(*table.index(), position) : Scalar::Int64(position);
      break;
    }
    case ReduceFunction::kQuantile: {
      if (!column.type().is_numeric() && column.type() != types::Bool()) {
        throw TypeError("quantile needs a numeric column; '" + spec.column + "' is " + column.type().ToString());
      }
      const ColumnPtr values = compute::Cast(column, types::Float64());
      std::vector<double> sorted;
      sorted.reserve(size_t(values->length()));
      const double* data = values->values<double>();
      for (int64_t i = 0; i < values->length(); ++i) {
        if (values->IsValid(i) && !std::isnan(data[i])) sorted.push_back(data[i]);
      }
      std::sort(sorted.begin(), sorted.end());
      const int64_t n = int64_t(sorted.size());
      if (n <= kQuantileSketchPoints) {
        state.sketch_values = sorted;
        state.sketch_weights.assign(sorted.size(), 1.0);
      } else {
        for (int64_t k = 0; k < kQuantileSketchPoints; ++k) {
          const int64_t begin = n * k / kQuantileSketchPoints;
          const int64_t end = n * (k + 1) / kQuantileSketchPoints;
          state.sketch_values.push_back(sorted[size_t((begin + end - 1) / 2)]);
          state.sketch_weights.push_back(double(end - begin));
        }
      }
      break;
    }
    case ReduceFunction::kSize: break;
  }
  return state;
}

void Combine(ReducerState& into, const ReducerState& next, const ReduceSpec& spec) {
  switch (spec.function) {
    case ReduceFunction::kSum: into.sum.Combine(next.sum); break;
    case ReduceFunction::kMean:
      into.sum.Combine(next.sum);
      into.nanos += next.nanos;
      into.count += next.count;
      break;
    case ReduceFunction::kCount:
    case ReduceFunction::kSize: into.count += next.count; break;
    case ReduceFunction::kMin:
    case ReduceFunction::kMax: into.minmax.Combine(next.minmax); break;
    case ReduceFunction::kVar:
    case ReduceFunction::kStd: into.moments.Combine(next.moments); break;
    case ReduceFunction::kNUnique:
      into.distinct = compute::Unique(*ConcatenateColumns({into.distinct, next.distinct}));
      break;
    case ReduceFunction::kAny: into.any = into.any || next.any; break;
    case ReduceFunction::kAll: into.all = into.all && next.all; break;
    case ReduceFunction::kIdxMin:
    case ReduceFunction::kIdxMax: {
      if (next.best.is_null()) break;
      const bool better = into.best.is_null() || (spec.function == ReduceFunction::kIdxMin
                                                      ? ScalarLess(next.best, into.best)
                                                      : ScalarLess(into.best, next.best));
      if (better) {  // ties keep the earlier row, as pandas
        into.best = next.best;
        into.label = next.has_index ? next.label : Scalar::Int64(into.rows + next.label.as_int64());
      }
      break;
    }
    case ReduceFunction::kQuantile: {
      std::vector<std::pair<double, double>> points;
      for (size_t i = 0; i < into.sketch_values.size(); ++i) points.emplace_back(into.sketch_values[i], into.sketch_weights[i]);
      for (size_t i = 0; i < next.sketch_values.size(); ++i) points.emplace_back(next.sketch_values[i], next.sketch_weights[i]);
      std::sort(points.begin(), points.end());
      into.sketch_values.clear();
      into.sketch_weights.clear();
      for (const auto& [value, weight] : points) {
        into.sketch_values.push_back(value);
        into.sketch_weights.push_back(weight);
      }
      break;
    }
  }
  into.rows += next.rows;
}

// Weighted quantile with linear interpolation between sample points (pandas' "linear" on the
// exact data when every partition kept all its values).
double SketchQuantile(const ReducerState& state, double q) {
  const auto& values = state.sketch_values;
  const auto& weights = state.sketch_weights;
  if (values.empty()) return std::nan("");
  double total = 0;
  for (double weight : weights) total += weight;
  // Position of each point: the middle of the rows it stands for, on pandas' 0..n-1 scale.
  const double target = q * (total - 1);
  double before = 0;
  double previous_position = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double position = before + (weights[i] - 1) / 2;
    if (position >= target) {
      if (i == 0) return values[0];
      const double span = position - previous_position;
      const double fraction = span > 0 ? (target - previous_position) / span : 0;
      return values[i - 1] + (values[i] - values[i - 1]) * fraction;
    }
    previous_position = position;
    before += weights[i];
  }
  return values.back();
}

// `meta`: finishing the states of an empty table for the result's type, so idxmin/idxmax
// give a null label instead of throwing.
Scalar Finish(const ReducerState& state, const ReduceSpec& spec, bool meta) {
  switch (spec.function) {
    case ReduceFunction::kSum: return state.sum.Sum();
    case ReduceFunction::kMean:
      if (state.temporal) {
        if (state.count == 0) return Scalar::Null(*state.temporal);
        return Scalar::OfInt(*state.temporal, int64_t(state.nanos / state.count));
      }
      return state.sum.Mean();
    case ReduceFunction::kCount:
    case ReduceFunction::kSize: return Scalar::Int64(state.count);
    case ReduceFunction::kMin: return state.minmax.min;
    case ReduceFunction::kMax: return state.minmax.max;
    case ReduceFunction::kVar: return Scalar::Float64(state.moments.Variance(spec.ddof));
    case ReduceFunction::kStd: return Scalar::Float64(std::sqrt(state.moments.Variance(spec.ddof)));
    case ReduceFunction::kNUnique: return compute::NUnique(*state.distinct, spec.dropna);
    case ReduceFunction::kAny: return Scalar::Bool(state.any);
    case ReduceFunction::kAll: return Scalar::Bool(state.all);
    case ReduceFunction::kIdxMin:
    case ReduceFunction::kIdxMax:
      if (state.best.is_null()) {
        if (meta) return state.label;
        throw InvalidArgument(std::string(ReduceFunctionName(spec.function)) + " of column '" + spec.column +
                              "' has no values (empty or all missing)");
      }
      return state.label;
    case ReduceFunction::kQuantile: return Scalar::Float64(SketchQuantile(state, spec.q));
  }
  return Scalar::Null(types::Float64());
}

std::vector<ReducerState> ChunkAll(const Table& table, const std::vector<ReduceSpec>& specs) {
  std::vector<ReducerState> states;
  states.reserve(specs.size());
  for (const auto& spec : specs) states.push_back(Chunk(table, spec));
  return states;
}

void CombineAll(std::vector<ReducerState>& into, const std::vector<ReducerState>& next,
                const std::vector<ReduceSpec>& specs) {
  for (size_t i = 0; i < specs.size(); ++i) Combine(into[i], next[i], specs[i]);
}

// pandas' result dtype of a Series built from mixed scalars: one type when they agree, float64
// for numbers and bools, strings otherwise.
ColumnPtr ColumnOfScalars(const std::vector<Scalar>& values) {
  bool same = true, numeric = true;
  for (const auto& value : values) {
    same &= value.type() == values[0].type();
    numeric &= value.type().is_numeric() || value.type() == types::Bool();
  }
  const DataType type = same ? values[0].type() : numeric ? types::Float64() : types::String();
  std::vector<ColumnPtr> pieces;
  for (const auto& value : values) pieces.push_back(compute::Cast(*BroadcastScalar(value, 1), type));
  return ConcatenateColumns(pieces);
}

TablePtr FinishTable(const std::vector<ReducerState>& states, const std::vector<ReduceSpec>& specs, ReduceShape shape,
                     const std::vector<std::string>& labels, bool meta);

}  // namespace

NodePtr ReduceNode::Make(NodePtr input, std::vector<ReduceSpec> specs, ReduceShape shape,
                         std::vector<std::string> labels, int64_t split_every) {
  if (specs.empty()) throw InvalidArgument("a reduction needs at least one column");
  if (split_every < 2) throw InvalidArgument("split_every must be at least 2, got " + std::to_string(split_every));
  if (shape == ReduceShape::kScalar && specs.size() != 1) throw Internal("a scalar reduction has one spec");
  if (shape == ReduceShape::kSeriesByLabel && labels.size() != specs.size()) throw Internal("one label per spec");
  auto node = std::shared_ptr<ReduceNode>(new ReduceNode(input));
  node->specs_ = std::move(specs);
  node->shape_ = shape;
  node->labels_ = std::move(labels);
  node->split_every_ = split_every;
  uint64_t parameters = 0x726564 + uint64_t(shape) + uint64_t(split_every) * 7;
  for (const auto& spec : node->specs_) {
    parameters = HashText(spec.column + "/" + ReduceFunctionName(spec.function) + "/" + std::to_string(spec.ddof) +
                              "/" + std::to_string(spec.q) + "/" + std::to_string(spec.dropna),
                          parameters);
  }
  for (const auto& label : node->labels_) parameters = HashText(label, parameters);
  TablePtr meta = FinishTable(ChunkAll(*input->meta(), node->specs_), node->specs_, shape, node->labels_, true);
  node->Init(meta->Slice(0, 0), 1, {}, parameters);
  return node;
}

std::string ReduceNode::prefix() const {
  return specs_.size() == 1 ? ReduceFunctionName(specs_[0].function) : "reduce";
}

std::string ReduceNode::Describe() const {
  std::string text = "Reduce";
  for (const auto& spec : specs_) {
    text += std::string(" ") + ReduceFunctionName(spec.function) +
            (spec.function == ReduceFunction::kSize ? "" : "(" + spec.column + ")");
  }
  return text + " split_every=" + std::to_string(split_every_);
}

namespace {

TablePtr FinishTable(const std::vector<ReducerState>& states, const std::vector<ReduceSpec>& specs, ReduceShape shape,
                     const std::vector<std::string>& labels, bool meta) {
  std::vector<Scalar> values;
  for (size_t i = 0; i < specs.size(); ++i) values.push_back(Finish(states[i], specs[i], meta));
  if (shape == ReduceShape::kScalar) {
    const std::string name = specs[0].function == ReduceFunction::kSize ? "size" : specs[0].column;
    return Table::Make({name}, {BroadcastScalar(values[0], 1)});
  }
  StringBuilder index(int64_t(labels.size()), 16 * int64_t(labels.size()));
  for (const auto& label : labels) index.Append(label);
  return Table::Make({"0"}, {ColumnOfScalars(values)}, index.Finish(), "");
}

}  // namespace

TablePtr ReduceNode::ReduceTable(const TablePtr& table) const {
  return FinishTable(ChunkAll(*table, specs_), specs_, shape_, labels_, false);
}

namespace {
enum ReduceStage { kReduceChunk, kReduceCombine, kReduceFinish };

std::vector<ReducerState> MergePartials(const graph::TaskInputs& task, const std::vector<ReduceSpec>& specs) {
  std::vector<ReducerState> states = dynamic_cast<const PartialValue&>(*task.Get(0)).states();
  for (size_t i = 1; i < task.size(); ++i) {
    CombineAll(states, dynamic_cast<const PartialValue&>(*task.Get(i)).states(), specs);
  }
  return states;
}
}  // namespace

graph::ValuePtr ReduceNode::RunStage(int stage, const graph::TaskInputs& task) const {
  switch (stage) {
    case kReduceChunk: return std::make_shared<const PartialValue>(ChunkAll(*TableOf(task.Get(0)), specs_));
    case kReduceCombine: return std::make_shared<const PartialValue>(MergePartials(task, specs_));
    case kReduceFinish:
      return std::make_shared<const TableValue>(FinishTable(MergePartials(task, specs_), specs_, shape_, labels_, false));
    default: return Node::RunStage(stage, task);
  }
}

void ReduceNode::WriteParameters(NodeWriter& out) const {
  out.Int(int64_t(specs_.size()));
  for (const auto& spec : specs_) {
    out.String(spec.column);
    out.Int(int64_t(spec.function));
    out.Int(spec.ddof);
    out.Double(spec.q);
    out.Bool(spec.dropna);
  }
  out.Int(int64_t(shape_));
  out.Strings(labels_);
  out.Int(split_every_);
}

NodePtr ReduceNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<ReduceNode>(new ReduceNode(inputs.at(0)));
  for (size_t n = in.Count("reductions", 33); n > 0; --n) {
    ReduceSpec spec;
    spec.column = in.String();
    spec.function = ReduceFunction(in.Int());
    spec.ddof = int(in.Int());
    spec.q = in.Double();
    spec.dropna = in.Bool();
    node->specs_.push_back(std::move(spec));
  }
  node->shape_ = ReduceShape(in.Int());
  node->labels_ = in.Strings();
  node->split_every_ = in.Int();
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> ReduceNode::Lower(LoweringContext& context) const {
  std::vector<graph::Arg> level = context.Partitions(input());
  const uint32_t chunk = context.AddStage(*this, kReduceChunk, prefix() + "-chunk");
  const uint32_t combine = context.AddStage(*this, kReduceCombine, prefix() + "-combine");
  const uint32_t aggregate = context.AddStage(*this, kReduceFinish, prefix() + "-agg");
  const std::string token = TokenText(this->token());
  const uint32_t chunk_name = graph::InternName(prefix() + "-chunk-" + token);
  for (size_t i = 0; i < level.size(); ++i) level[i] = context.AddTask(chunk_name, int64_t(i), chunk, {level[i]});
  for (int depth = 0; level.size() > size_t(split_every_); ++depth) {
    const uint32_t name_id = graph::InternName(prefix() + "-combine-" + std::to_string(depth) + "-" + token);
    std::vector<graph::Arg> next;
    for (size_t begin = 0; begin < level.size(); begin += size_t(split_every_)) {
      const size_t end = std::min(level.size(), begin + size_t(split_every_));
      next.push_back(context.AddTask(name_id, int64_t(next.size()), combine,
                                     std::vector<graph::Arg>(level.begin() + begin, level.begin() + end)));
    }
    level = std::move(next);
  }
  return {context.AddTask(graph::InternName(name()), 0, aggregate, std::move(level))};
}

}  // namespace tessera::expr
