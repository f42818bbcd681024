#include "tessera/expr/read_parquet_node.hpp"

#include <algorithm>

#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {
namespace {

using io::parquet::ParquetPlan;

struct Bounds {
  compute::Scalar min = compute::Scalar::Null(types::Float64());
  compute::Scalar max = compute::Scalar::Null(types::Float64());
  bool known = false;
};

// Bounds of column `name` in row group `group` of file `file`: statistics for file columns, the
// directory's value for hive partition keys.
Bounds BoundsOf(const ParquetPlan& plan, int file, int group, const std::string& name) {
  Bounds bounds;
  const auto key = std::find(plan.partition_keys.begin(), plan.partition_keys.end(), name);
  if (key != plan.partition_keys.end()) {
    const size_t k = size_t(key - plan.partition_keys.begin());
    const std::string& value = plan.partition_values[k][size_t(plan.file_partition_codes[size_t(file)][k])];
    bounds.min = bounds.max = compute::Scalar::String(value);
    bounds.known = true;
    return bounds;
  }
  const auto& parquet = *plan.files[size_t(file)];
  const int column = parquet.ColumnIndex(name);
  if (column < 0) return bounds;
  const auto stats = parquet.Statistics(group, column);
  if (stats.min_max == nullptr) return bounds;
  bounds.min = ScalarAt(*stats.min_max, 0);
  bounds.max = ScalarAt(*stats.min_max, 1);
  bounds.known = !bounds.min.is_null() && !bounds.max.is_null();
  return bounds;
}

const char* Mirror(const std::string& op) {
  if (op == "lt") return "gt";
  if (op == "le") return "ge";
  if (op == "gt") return "lt";
  if (op == "ge") return "le";
  if (op == "eq" || op == "ne") return op == "eq" ? "eq" : "ne";
  return nullptr;
}

// Whether some row of the row group may satisfy `predicate`; true whenever it cannot tell.
bool MayMatch(const ColumnExpr& predicate, const ParquetPlan& plan, int file, int group) {
  if (predicate.kind() != ColumnExpr::Kind::kCall) return true;
  const std::string& op = predicate.name();
  const auto& args = predicate.args();
  if (op == "and") {
    return std::all_of(args.begin(), args.end(), [&](const ColumnExprPtr& a) { return MayMatch(*a, plan, file, group); });
  }
  if (op == "or") {
    return std::any_of(args.begin(), args.end(), [&](const ColumnExprPtr& a) { return MayMatch(*a, plan, file, group); });
  }
  if (op == "isin" && args.size() == 1 && args[0]->kind() == ColumnExpr::Kind::kColumn) {
    const Bounds b = BoundsOf(plan, file, group, args[0]->name());
    if (!b.known) return true;
    for (const auto& value : predicate.params().scalars) {
      const auto low = compute::CompareScalars(b.min, value);
      const auto high = compute::CompareScalars(b.max, value);
      if (!low || !high || (*low <= 0 && *high >= 0)) return true;
    }
    return false;
  }
  if (args.size() != 2) return true;
  std::string comparison = op;
  const ColumnExpr* column = args[0].get();
  const ColumnExpr* literal = args[1].get();
  if (column->kind() == ColumnExpr::Kind::kLiteral && literal->kind() == ColumnExpr::Kind::kColumn) {
    std::swap(column, literal);
    const char* mirrored = Mirror(op);
    if (mirrored == nullptr) return true;
    comparison = mirrored;
  }
  if (column->kind() != ColumnExpr::Kind::kColumn || literal->kind() != ColumnExpr::Kind::kLiteral) return true;
  const Bounds b = BoundsOf(plan, file, group, column->name());
  if (!b.known) return true;
  const auto low = compute::CompareScalars(b.min, literal->literal());
  const auto high = compute::CompareScalars(b.max, literal->literal());
  if (!low || !high) return true;
  if (comparison == "eq") return *low <= 0 && *high >= 0;
  if (comparison == "ne") return !(*low == 0 && *high == 0);
  if (comparison == "lt") return *low < 0;
  if (comparison == "le") return *low <= 0;
  if (comparison == "gt") return *high > 0;
  if (comparison == "ge") return *high >= 0;
  return true;
}

// Divisions from the index column's statistics: each piece's minimum, then the last maximum;
// empty unless every piece has bounds and the pieces are strictly ordered.
Divisions IndexDivisions(const ParquetPlan& plan) {
  if (plan.index_column < 0 || plan.pieces.empty()) return {};
  const std::string& name = plan.file_columns[size_t(plan.index_column)];
  Divisions divisions;
  compute::Scalar previous_max = compute::Scalar::Null(types::Float64());
  for (const auto& piece : plan.pieces) {
    if (piece.row_groups.empty()) return {};
    Bounds piece_bounds;
    for (int g : piece.row_groups) {
      const Bounds b = BoundsOf(plan, piece.file, g, name);
      if (!b.known) return {};
      if (!piece_bounds.known) {
        piece_bounds = b;
        continue;
      }
      const auto low = compute::CompareScalars(b.min, piece_bounds.min);
      const auto high = compute::CompareScalars(b.max, piece_bounds.max);
      if (!low || !high) return {};
      if (*low < 0) piece_bounds.min = b.min;
      if (*high > 0) piece_bounds.max = b.max;
    }
    if (!divisions.empty()) {
      const auto order = compute::CompareScalars(previous_max, piece_bounds.min);
      if (!order || *order >= 0) return {};
    }
    divisions.push_back(piece_bounds.min);
    previous_max = piece_bounds.max;
  }
  divisions.push_back(previous_max);
  return divisions;
}

std::string Join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

ReadParquetNode::ReadParquetNode(std::shared_ptr<const ParquetPlan> plan, bool calculate_divisions,
                                 std::vector<ColumnExprPtr> filters)
    : Node(NodeKind::kReadParquet, {}),
      plan_(std::move(plan)),
      calculate_divisions_(calculate_divisions),
      filters_(std::move(filters)) {}

NodePtr ReadParquetNode::Make(std::shared_ptr<const ParquetPlan> plan, bool calculate_divisions,
                              std::vector<ColumnExprPtr> filters) {
  auto node = std::shared_ptr<ReadParquetNode>(new ReadParquetNode(plan, calculate_divisions, filters));
  uint64_t parameters = 0x7061727175657431;
  for (const auto& file : plan->files) parameters = HashText(file->path(), parameters);
  for (const auto& piece : plan->pieces) {
    parameters = HashCombine(parameters, uint64_t(piece.file));
    for (int g : piece.row_groups) parameters = HashCombine(parameters, uint64_t(g) + 1);
  }
  const TablePtr meta = plan->Meta();
  for (const auto& field : meta->schema().fields()) parameters = HashText(field.name + ":" + field.type.ToString(), parameters);
  parameters = HashText(plan->index_name + std::to_string(plan->index_column), parameters + calculate_divisions);
  for (const auto& filter : filters) parameters = HashCombine(parameters, filter->hash());
  node->Init(meta, std::max<int64_t>(1, int64_t(plan->pieces.size())),
             calculate_divisions ? IndexDivisions(*plan) : Divisions{}, parameters);
  return node;
}

NodePtr ReadParquetNode::WithColumns(const std::vector<std::string>& columns) const {
  auto plan = std::make_shared<ParquetPlan>(*plan_);
  auto keep = [&](const std::string& name) { return std::find(columns.begin(), columns.end(), name) != columns.end(); };
  plan->selected.clear();
  plan->selected_partitions.clear();
  for (int c : plan_->selected) {
    if (keep(plan_->file_columns[size_t(c)])) plan->selected.push_back(c);
  }
  for (int k : plan_->selected_partitions) {
    if (keep(plan_->partition_keys[size_t(k)])) plan->selected_partitions.push_back(k);
  }
  return Make(std::move(plan), calculate_divisions_, filters_);
}

NodePtr ReadParquetNode::WithFilter(const ColumnExprPtr& predicate) const {
  for (const auto& filter : filters_) {
    if (filter->hash() == predicate->hash()) return shared_from_this();
  }
  auto plan = std::make_shared<ParquetPlan>(*plan_);
  plan->pieces.clear();
  for (const auto& piece : plan_->pieces) {
    io::parquet::ParquetPiece kept{piece.file, {}};
    for (int g : piece.row_groups) {
      if (MayMatch(*predicate, *plan_, piece.file, g)) kept.row_groups.push_back(g);
    }
    if (!kept.row_groups.empty()) plan->pieces.push_back(std::move(kept));
  }
  auto filters = filters_;
  filters.push_back(predicate);
  return Make(std::move(plan), calculate_divisions_, std::move(filters));
}

std::string ReadParquetNode::Describe() const {
  std::string text = "ReadParquet " + std::to_string(plan_->files.size()) + " file(s) [" +
                     Join(meta()->column_names()) + "]";
  const size_t available = plan_->file_columns.size() - (plan_->index_column >= 0 ? 1 : 0) + plan_->partition_keys.size();
  const size_t read = plan_->selected.size() + plan_->selected_partitions.size();
  if (read < available) text += " (" + std::to_string(read) + " of " + std::to_string(available) + " columns)";
  if (!filters_.empty()) {
    int64_t groups = 0;
    for (const auto& piece : plan_->pieces) groups += int64_t(piece.row_groups.size());
    text += " filters";
    for (const auto& filter : filters_) text += " " + filter->ToString();
    text += ": " + std::to_string(groups) + " of " + std::to_string(plan_->total_row_groups) + " row groups";
  }
  return text;
}

graph::ValuePtr ReadParquetNode::RunStage(int, const graph::TaskInputs& task) const {
  return std::make_shared<const TableValue>(io::parquet::ReadParquetPiece(*plan_, size_t(task.key().index)));
}

namespace {
template <typename T>
std::vector<int64_t> Wide(const std::vector<T>& values) { return {values.begin(), values.end()}; }
template <typename T>
std::vector<T> Narrow(const std::vector<int64_t>& values) { return {values.begin(), values.end()}; }
}  // namespace

void ReadParquetNode::WriteParameters(NodeWriter& out) const {
  const ParquetPlan& plan = *plan_;
  out.Bool(calculate_divisions_);
  out.Int(int64_t(filters_.size()));
  for (const auto& filter : filters_) out.Expr(filter);
  std::vector<std::string> paths;
  for (const auto& file : plan.files) paths.push_back(file->path());
  out.Strings(paths);
  out.Strings(plan.file_columns);
  out.Strings(plan.partition_keys);
  out.Int(int64_t(plan.partition_values.size()));
  for (const auto& values : plan.partition_values) out.Strings(values);
  out.Int(int64_t(plan.file_partition_codes.size()));
  for (const auto& codes : plan.file_partition_codes) out.Ints(Wide(codes));
  out.Ints(Wide(plan.selected));
  out.Ints(Wide(plan.selected_partitions));
  out.Int(plan.index_column);
  out.String(plan.index_name);
  out.Int(int64_t(plan.pieces.size()));
  for (const auto& piece : plan.pieces) {
    out.Int(piece.file);
    out.Ints(Wide(piece.row_groups));
  }
  out.Int(plan.total_row_groups);
}

NodePtr ReadParquetNode::Read(NodeReader& in, const NodeShape& shape) {
  auto plan = std::make_shared<ParquetPlan>();
  const bool calculate_divisions = in.Bool();
  std::vector<ColumnExprPtr> filters;
  for (size_t n = in.Count("filters", 1); n > 0; --n) filters.push_back(in.Expr());
  for (const auto& path : in.Strings()) plan->files.push_back(io::parquet::ParquetFile::Open(path));
  plan->file_columns = in.Strings();
  plan->partition_keys = in.Strings();
  for (size_t n = in.Count("partition keys", 8); n > 0; --n) plan->partition_values.push_back(in.Strings());
  for (size_t n = in.Count("files", 8); n > 0; --n) plan->file_partition_codes.push_back(Narrow<int32_t>(in.Ints()));
  plan->selected = Narrow<int>(in.Ints());
  plan->selected_partitions = Narrow<int>(in.Ints());
  plan->index_column = int(in.Int());
  plan->index_name = in.String();
  for (size_t n = in.Count("pieces", 16); n > 0; --n) {
    io::parquet::ParquetPiece piece;
    piece.file = int(in.Int());
    piece.row_groups = Narrow<int>(in.Ints());
    plan->pieces.push_back(std::move(piece));
  }
  plan->total_row_groups = in.Int();
  auto node = std::shared_ptr<ReadParquetNode>(new ReadParquetNode(std::move(plan), calculate_divisions, std::move(filters)));
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> ReadParquetNode::Lower(LoweringContext& context) const {
  if (plan_->pieces.empty()) return {context.graph().AddLiteral(std::make_shared<const TableValue>(meta()))};
  const uint32_t read = context.AddStage(*this, 0, "read-parquet");
  const uint32_t name_id = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (size_t p = 0; p < plan_->pieces.size(); ++p) partitions.push_back(context.AddTask(name_id, int64_t(p), read, {}));
  return partitions;
}

}  // namespace tessera::expr
