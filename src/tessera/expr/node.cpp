// Node basics, sources (read_csv, tables in memory, persisted results, generators) and the
// partition-wise nodes (project, filter, map_partitions, head, shuffle).
#include "tessera/expr/node.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/table/table_serialize.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

std::string TokenText(uint64_t token) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(token));
  return text;
}

namespace {

}  // namespace

TableListValue::TableListValue(std::vector<TablePtr> tables) : tables_(std::move(tables)) {
  static const bool registered = [] {
    graph::RegisterValueType("table-list", [](ByteReader& in) -> graph::ValuePtr {
      const uint64_t count = in.ReadRaw<uint64_t>();
      std::vector<TablePtr> tables;
      for (uint64_t i = 0; i < count; ++i) tables.push_back(DeserializeTable(in));
      return std::make_shared<const TableListValue>(std::move(tables));
    });
    return true;
  }();
  (void)registered;
}

void TableListValue::Serialize(ByteSink& out) const {
  out.WriteRaw(uint64_t(tables_.size()));
  for (const auto& table : tables_) SerializeTable(*table, out);
}

int64_t TableListValue::nbytes() const {
  int64_t total = 0;
  for (const auto& table : tables_) total += table->nbytes();
  return total;
}

std::string Node::name() const { return prefix() + "-" + TokenText(token_); }

TablePtr Node::ApplyPartition(const TablePtr&, int64_t) const {
  throw Internal(Describe() + " is not a blockwise node");
}

std::vector<graph::Arg> Node::Lower(LoweringContext&) const {
  throw Internal(Describe() + " has no lowering");
}

void Node::Init(TablePtr meta, int64_t npartitions, Divisions divisions, uint64_t parameters) {
  meta_ = std::move(meta);
  npartitions_ = npartitions;
  divisions_ = std::move(divisions);
  // Mixed at every step (HashCombine alone lets small parameters such as partition numbers and
  // node identities cancel out; equal tokens would merge different nodes).
  uint64_t token = HashInt64(parameters, uint64_t(kind_) + 1);
  for (const auto& input : inputs_) token = HashInt64(input->token(), token);
  token_ = token;
}

namespace {

uint64_t HashNames(const std::vector<std::string>& names, uint64_t seed) {
  for (const auto& name : names) seed = HashText(name, seed) + 1;
  return seed;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

TablePtr EmptyLike(const Table& table) { return table.Slice(0, 0); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// read_csv

namespace {

// One parsed block, before its start is checked against the previous block's end.
class CsvBlockValue final : public graph::Value {
 public:
  explicit CsvBlockValue(io::CsvBlockResult result) : result_(std::move(result)) {}
  const io::CsvBlockResult& result() const { return result_; }
  int64_t nbytes() const override { return result_.table ? result_.table->nbytes() : 0; }

 private:
  io::CsvBlockResult result_;
};

// Where a block really ends, and its table when it had to be re-read from the right start.
class CsvCheckValue final : public graph::Value {
 public:
  CsvCheckValue(int64_t end_offset, TablePtr reread) : end_offset_(end_offset), reread_(std::move(reread)) {}
  int64_t end_offset() const { return end_offset_; }
  const TablePtr& reread() const { return reread_; }
  int64_t nbytes() const override { return reread_ ? reread_->nbytes() : 0; }

 private:
  int64_t end_offset_;
  TablePtr reread_;
};

template <typename V>
const V& ValueAs(const graph::ValuePtr& value) {
  const auto* typed = dynamic_cast<const V*>(value.get());
  if (typed == nullptr) throw Internal("unexpected task value " + (value ? value->ToString() : std::string("null")));
  return *typed;
}

}  // namespace

ReadCsvNode::ReadCsvNode(std::shared_ptr<const io::CsvPlan> plan) : Node(NodeKind::kReadCsv, {}), plan_(std::move(plan)) {}

NodePtr ReadCsvNode::Make(std::shared_ptr<const io::CsvPlan> plan) {
  auto node = std::shared_ptr<ReadCsvNode>(new ReadCsvNode(plan));
  uint64_t parameters = 0x637376;
  for (const auto& file : plan->files) parameters = HashText(file.source->path(), parameters);
  for (const auto& block : plan->blocks) {
    parameters = HashCombine(parameters, uint64_t(block.begin) * 31 + uint64_t(block.end));
  }
  const Schema schema = plan->schema();
  for (const auto& field : schema.fields()) parameters = HashText(field.name + ":" + field.type.ToString(), parameters);
  const auto& options = plan->options;
  parameters = HashText(std::string(1, options.sep) + options.quotechar + options.date_format, parameters);
  parameters = HashNames(options.na_values, parameters + options.keep_default_na);
  node->Init(Table::MakeEmpty(schema), std::max<int64_t>(1, int64_t(plan->blocks.size())), {}, parameters);
  return node;
}

NodePtr ReadCsvNode::WithColumns(const std::vector<std::string>& columns) const {
  auto plan = std::make_shared<io::CsvPlan>(*plan_);
  plan->selected.clear();
  plan->types.clear();
  plan->declared.clear();
  plan->average_field_bytes.clear();
  for (size_t k = 0; k < plan_->selected.size(); ++k) {
    const std::string& name = plan_->file_columns[size_t(plan_->selected[k])];
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) continue;
    plan->selected.push_back(plan_->selected[k]);
    plan->types.push_back(plan_->types[k]);
    plan->declared.push_back(plan_->declared[k]);
    plan->average_field_bytes.push_back(plan_->average_field_bytes[k]);
  }
  return Make(std::move(plan));
}

std::string ReadCsvNode::Describe() const {
  std::string text = "ReadCsv " + std::to_string(plan_->files.size()) + " file(s) [" +
                     JoinNames(meta()->column_names()) + "]";
  if (plan_->selected.size() < plan_->file_columns.size()) {
    text += " (" + std::to_string(plan_->selected.size()) + " of " + std::to_string(plan_->file_columns.size()) +
            " columns)";
  }
  return text;
}

std::vector<graph::Arg> ReadCsvNode::Lower(LoweringContext& context) const {
  if (plan_->blocks.empty()) return {context.graph().AddLiteral(std::make_shared<const TableValue>(meta()))};
  auto plan = plan_;
  const TablePtr meta_table = meta();
  // Three tasks per block: parse it (in parallel with every other block), check that it starts
  // where the previous block ended (re-reading it when a quoted line break fooled the guess),
  // and hand out its table.
  const uint32_t parse = context.AddFunction("read-csv-block", [plan](const graph::TaskInputs& task) -> graph::ValuePtr {
    return std::make_shared<const CsvBlockValue>(io::ReadCsvBlock(*plan, size_t(task.key().index)));
  });
  const uint32_t check = context.AddFunction("read-csv-check", [plan](const graph::TaskInputs& task) -> graph::ValuePtr {
    const size_t b = size_t(task.key().index);
    const auto& block = ValueAs<CsvBlockValue>(task.Get(0)).result();
    const int64_t expected = task.size() > 1 ? ValueAs<CsvCheckValue>(task.Get(1)).end_offset()
                                             : plan->files[size_t(plan->blocks[b].file)].data_start;
    if (block.first_row_offset == expected) {
      io::RethrowCsvBlockError(*plan, block);
      return std::make_shared<const CsvCheckValue>(block.end_offset, nullptr);
    }
    io::CsvBlockResult reread = io::ReadCsvBlock(*plan, b, expected);
    io::RethrowCsvBlockError(*plan, reread);
    return std::make_shared<const CsvCheckValue>(reread.end_offset, reread.table);
  });
  const uint32_t output = context.AddFunction("read-csv", [plan, meta_table](const graph::TaskInputs& task) -> graph::ValuePtr {
    const auto& checked = ValueAs<CsvCheckValue>(task.Get(1));
    TablePtr table = checked.reread() ? checked.reread() : ValueAs<CsvBlockValue>(task.Get(0)).result().table;
    const Schema& expected = meta_table->schema();
    for (int k = 0; k < expected.num_fields(); ++k) {
      const Field& found = table->schema().field(k);
      if (found.type != expected.field(k).type) {
        const auto& block = plan->blocks[size_t(task.key().index)];
        throw TypeError("column '" + found.name + "' of " + plan->files[size_t(block.file)].source->path() +
                        " holds values of type " + found.type.ToString() + " after byte " +
                        std::to_string(block.begin) + ", but the sampled rows gave " +
                        expected.field(k).type.ToString() + "; pass dtype={'" + found.name + "': '" +
                        found.type.ToString() + "'} to read_csv");
      }
    }
    return std::make_shared<const TableValue>(std::move(table));
  });
  const uint32_t block_name = graph::InternName(prefix() + "-block-" + TokenText(token()));
  const uint32_t check_name = graph::InternName(prefix() + "-check-" + TokenText(token()));
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (size_t b = 0; b < plan_->blocks.size(); ++b) {
    const graph::Arg block = context.AddTask(block_name, int64_t(b), parse, {});
    std::vector<graph::Arg> check_args{block};
    if (b > 0 && plan_->blocks[b - 1].file == plan_->blocks[b].file) {
      check_args.push_back(graph::Arg::Ref(graph::Key(check_name, int64_t(b - 1))));
    }
    const graph::Arg checked = context.AddTask(check_name, int64_t(b), check, std::move(check_args));
    partitions.push_back(context.AddTask(output_name, int64_t(b), output, {block, checked}));
  }
  return partitions;
}

// ---------------------------------------------------------------------------------------------
// Tables in memory, persisted results, generated partitions

FromTablesNode::FromTablesNode(std::vector<TablePtr> tables, Divisions)
    : Node(NodeKind::kFromTables, {}), tables_(std::move(tables)) {}

NodePtr FromTablesNode::Make(std::vector<TablePtr> tables, Divisions divisions) {
  if (tables.empty()) throw InvalidArgument("from_tables needs at least one table");
  for (size_t i = 1; i < tables.size(); ++i) {
    if (!(tables[i]->schema() == tables[0]->schema()) || tables[i]->has_index() != tables[0]->has_index()) {
      throw TypeError("from_tables: table " + std::to_string(i) + " has columns\n" + tables[i]->schema().ToString() +
                      "\nbut table 0 has\n" + tables[0]->schema().ToString());
    }
  }
  if (!divisions.empty() && divisions.size() != tables.size() + 1) {
    throw InvalidArgument("from_tables: " + std::to_string(divisions.size()) + " divisions for " +
                          std::to_string(tables.size()) + " tables; give npartitions + 1 boundaries");
  }
  static std::atomic<uint64_t> counter{0};
  auto node = std::shared_ptr<FromTablesNode>(new FromTablesNode(tables, divisions));
  const int64_t count = int64_t(tables.size());
  node->Init(EmptyLike(*tables[0]), count, std::move(divisions), HashCombine(0x746162, ++counter));
  return node;
}

std::string FromTablesNode::Describe() const {
  int64_t rows = 0;
  for (const auto& table : tables_) rows += table->num_rows();
  return "FromTables " + std::to_string(rows) + " rows [" + JoinNames(meta()->column_names()) + "]";
}

std::vector<graph::Arg> FromTablesNode::Lower(LoweringContext& context) const {
  std::vector<graph::Arg> partitions;
  for (const auto& table : tables_) partitions.push_back(context.graph().AddLiteral(std::make_shared<const TableValue>(table)));
  return partitions;
}

FromPersistedNode::FromPersistedNode(std::vector<graph::Key> keys, std::shared_ptr<const void> handles)
    : Node(NodeKind::kFromPersisted, {}), keys_(std::move(keys)), handles_(std::move(handles)) {}

NodePtr FromPersistedNode::Make(std::vector<graph::Key> keys, std::shared_ptr<const void> handles, TablePtr meta,
                                Divisions divisions, std::string description, std::vector<int64_t> lengths) {
  auto node = std::shared_ptr<FromPersistedNode>(new FromPersistedNode(keys, std::move(handles)));
  node->lengths_ = std::move(lengths);
  uint64_t parameters = 0x70657273;
  for (const auto& key : keys) parameters = HashCombine(parameters, graph::HashKey(key));
  node->description_ = std::move(description);
  node->Init(std::move(meta), int64_t(keys.size()), std::move(divisions), parameters);
  return node;
}

std::optional<int64_t> KnownLength(const NodePtr& node) {
  switch (node->kind()) {
    case NodeKind::kProject: return KnownLength(node->input());
    case NodeKind::kFromTables: {
      int64_t rows = 0;
      for (const auto& table : static_cast<const FromTablesNode&>(*node).tables()) rows += table->num_rows();
      return rows;
    }
    case NodeKind::kFromPersisted: {
      const auto& lengths = static_cast<const FromPersistedNode&>(*node).lengths();
      if (lengths.empty()) return std::nullopt;
      int64_t rows = 0;
      for (int64_t length : lengths) rows += length;
      return rows;
    }
    default: return std::nullopt;
  }
}

std::vector<graph::Arg> FromPersistedNode::Lower(LoweringContext&) const {
  std::vector<graph::Arg> partitions;
  for (const auto& key : keys_) partitions.push_back(graph::Arg::Ref(key));
  return partitions;
}

NodePtr GeneratedNode::Make(std::string prefix, std::string description, TablePtr meta, int64_t npartitions,
                            Divisions divisions, Generator generator, uint64_t parameters) {
  auto node = std::shared_ptr<GeneratedNode>(new GeneratedNode());
  node->prefix_ = std::move(prefix);
  node->description_ = std::move(description);
  node->generator_ = std::move(generator);
  node->Init(std::move(meta), npartitions, std::move(divisions), HashText(node->prefix_, parameters));
  return node;
}

std::vector<graph::Arg> GeneratedNode::Lower(LoweringContext& context) const {
  auto generator = generator_;
  const uint32_t function = context.AddFunction(prefix_, [generator](const graph::TaskInputs& task) -> graph::ValuePtr {
    return std::make_shared<const TableValue>(generator(task.key().index));
  });
  const uint32_t name_id = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t i = 0; i < npartitions(); ++i) partitions.push_back(context.AddTask(name_id, i, function, {}));
  return partitions;
}

// ---------------------------------------------------------------------------------------------
// Partition-wise nodes

NodePtr ProjectNode::Make(NodePtr input, std::vector<NamedExpr> columns) {
  auto node = std::shared_ptr<ProjectNode>(new ProjectNode(input));
  node->columns_ = std::move(columns);
  uint64_t parameters = 0x70726f6a;
  for (const auto& column : node->columns_) parameters = HashCombine(HashText(column.name, parameters), column.expr->hash());
  TablePtr meta = node->ApplyPartition(input->meta(), 0);  // type errors surface here, not at compute()
  node->Init(std::move(meta), input->npartitions(), input->divisions(), parameters);
  return node;
}

std::string ProjectNode::prefix() const {
  for (const auto& column : columns_) {
    if (column.expr->kind() != ColumnExpr::Kind::kColumn) return "assign";
  }
  return "getitem";
}

std::string ProjectNode::Describe() const {
  std::string text = "Project [";
  for (size_t i = 0; i < columns_.size(); ++i) {
    const auto& column = columns_[i];
    text += (i ? ", " : "") + column.name;
    if (column.expr->kind() != ColumnExpr::Kind::kColumn || column.expr->name() != column.name) {
      text += " = " + column.expr->ToString();
    }
  }
  return text + "]";
}

ColumnExprPtr ProjectNode::Inline(const ColumnExprPtr& expression) const {
  switch (expression->kind()) {
    case ColumnExpr::Kind::kColumn: {
      for (const auto& column : columns_) {
        if (column.name == expression->name()) return column.expr;
      }
      throw Internal("projection has no column " + expression->name());
    }
    case ColumnExpr::Kind::kCall: {
      std::vector<ColumnExprPtr> args;
      for (const auto& arg : expression->args()) args.push_back(Inline(arg));
      return ColumnExpr::Call(expression->name(), std::move(args), expression->params());
    }
    default:
      return expression;
  }
}

TablePtr ProjectNode::ApplyPartition(const TablePtr& input, int64_t) const {
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  names.reserve(columns_.size());
  columns.reserve(columns_.size());
  for (const auto& column : columns_) {
    names.push_back(column.name);
    columns.push_back(column.expr->Evaluate(*input));
  }
  return Table::Make(std::move(names), std::move(columns), input->index(), input->index_name());
}

NodePtr FilterNode::Make(NodePtr input, ColumnExprPtr predicate) {
  auto node = std::shared_ptr<FilterNode>(new FilterNode(input));
  node->predicate_ = std::move(predicate);
  TablePtr meta = node->ApplyPartition(input->meta(), 0);
  node->Init(std::move(meta), input->npartitions(), input->divisions(), HashCombine(0x66696c74, node->predicate_->hash()));
  return node;
}

TablePtr FilterNode::ApplyPartition(const TablePtr& input, int64_t) const {
  const ColumnPtr mask = predicate_->Evaluate(*input);
  if (mask->type() != types::Bool()) {
    throw TypeError("filtering needs a bool condition, but " + predicate_->ToString() + " is " +
                    mask->type().ToString());
  }
  return compute::Filter(*input, *mask);
}

NodePtr MapPartitionsNode::Make(NodePtr input, Function function, TablePtr meta, std::string name,
                                bool keep_divisions) {
  static std::atomic<uint64_t> counter{0};
  auto node = std::shared_ptr<MapPartitionsNode>(new MapPartitionsNode(input));
  node->function_ = std::move(function);
  node->name_ = name.empty() ? "map-partitions" : std::move(name);
  node->keep_divisions_ = keep_divisions;
  node->identity_ = ++counter;
  if (meta == nullptr) meta = node->function_(input->meta());  // meta from the empty input
  node->Init(EmptyLike(*meta), input->npartitions(), keep_divisions ? input->divisions() : Divisions{},
             HashCombine(0x6d6170, node->identity_));
  return node;
}

NodePtr MapPartitionsNode::MakeWithDivisions(NodePtr input, Function function, TablePtr meta, std::string name,
                                             Divisions divisions) {
  if (!divisions.empty() && int64_t(divisions.size()) != input->npartitions() + 1) {
    throw InvalidArgument("map_partitions: " + std::to_string(divisions.size()) + " divisions for " +
                          std::to_string(input->npartitions()) + " partitions");
  }
  auto made = Make(std::move(input), std::move(function), std::move(meta), std::move(name), false);
  auto node = std::const_pointer_cast<MapPartitionsNode>(std::static_pointer_cast<const MapPartitionsNode>(made));
  node->divisions_ = divisions;
  node->Init(node->meta(), node->npartitions(), std::move(divisions), HashCombine(0x6d6170, node->identity_));
  return node;
}

NodePtr MapPartitionsNode::WithInputs(std::vector<NodePtr> inputs) const {
  auto node = std::shared_ptr<MapPartitionsNode>(new MapPartitionsNode(inputs.at(0)));
  node->function_ = function_;
  node->name_ = name_;
  node->keep_divisions_ = keep_divisions_;
  node->divisions_ = divisions_;
  node->identity_ = identity_;
  node->Init(meta(), inputs[0]->npartitions(),
             keep_divisions_ ? inputs[0]->divisions() : divisions_, HashCombine(0x6d6170, identity_));
  return node;
}

TablePtr MapPartitionsNode::ApplyPartition(const TablePtr& input, int64_t partition) const {
  TablePtr result = function_(input);
  if (result == nullptr) throw TypeError(name_ + " returned no table for partition " + std::to_string(partition));
  if (!(result->schema() == meta()->schema())) {
    throw TypeError(name_ + " returned columns\n" + result->schema().ToString() + "\nfor partition " +
                    std::to_string(partition) + ", but its meta declares\n" + meta()->schema().ToString() +
                    "\npass a meta that matches what the function returns");
  }
  return result;
}

NodePtr HeadNode::Make(NodePtr input, int64_t n, int64_t partitions) {
  auto node = std::shared_ptr<HeadNode>(new HeadNode(input));
  node->n_ = n;
  node->partitions_ = std::clamp<int64_t>(partitions, 1, input->npartitions());
  Divisions divisions;
  node->Init(input->meta(), 1, std::move(divisions), HashCombine(0x68656164 + uint64_t(n), uint64_t(node->partitions_)));
  return node;
}

std::string HeadNode::Describe() const {
  return "Head " + std::to_string(n_) + " rows of the first " + std::to_string(partitions_) + " partition(s)";
}

std::vector<graph::Arg> HeadNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const int64_t n = n_;
  const uint32_t function = context.AddFunction("head", [n](const graph::TaskInputs& task) -> graph::ValuePtr {
    std::vector<TablePtr> tables;
    int64_t rows = 0;
    for (size_t i = 0; i < task.size() && rows < n; ++i) {
      tables.push_back(TableOf(task.Get(i)));
      rows += tables.back()->num_rows();
    }
    TablePtr table = ConcatenateTables(tables);
    return std::make_shared<const TableValue>(table->Slice(0, std::min(n, table->num_rows())));
  });
  std::vector<graph::Arg> args(inputs.begin(), inputs.begin() + partitions_);
  return {context.AddTask(graph::InternName(name()), 0, function, std::move(args))};
}

NodePtr PartitionsNode::Make(NodePtr input, std::vector<int64_t> indices) {
  if (indices.empty()) throw InvalidArgument("select at least one partition");
  uint64_t parameters = 0x70617274;
  Divisions divisions;
  bool contiguous = true;
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t& index = indices[i];
    if (index < 0) index += input->npartitions();
    if (index < 0 || index >= input->npartitions()) {
      throw IndexError("partition " + std::to_string(indices[i]) + " out of range: the frame has " +
                       std::to_string(input->npartitions()) + " partitions");
    }
    contiguous &= i == 0 || index == indices[i - 1] + 1;
    parameters = HashCombine(parameters, uint64_t(index));
  }
  if (input->known_divisions() && contiguous) {
    divisions.assign(input->divisions().begin() + indices.front(), input->divisions().begin() + indices.back() + 2);
  }
  auto node = std::shared_ptr<PartitionsNode>(new PartitionsNode(input));
  node->indices_ = std::move(indices);
  node->Init(input->meta(), int64_t(node->indices_.size()), std::move(divisions), parameters);
  return node;
}

std::string PartitionsNode::Describe() const {
  std::string text = "Partitions [";
  for (size_t i = 0; i < indices_.size() && i < 8; ++i) text += (i ? ", " : "") + std::to_string(indices_[i]);
  return text + (indices_.size() > 8 ? ", ...]" : "]");
}

std::vector<graph::Arg> PartitionsNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  std::vector<graph::Arg> partitions;
  for (int64_t index : indices_) partitions.push_back(inputs[size_t(index)]);
  return partitions;
}

NodePtr ShuffleNode::Make(NodePtr input, std::vector<std::string> keys, int64_t npartitions) {
  if (npartitions < 1) throw InvalidArgument("shuffle needs npartitions >= 1, got " + std::to_string(npartitions));
  for (const auto& key : keys) input->meta()->column(key);  // KeyError naming the columns
  auto node = std::shared_ptr<ShuffleNode>(new ShuffleNode(input));
  node->keys_ = std::move(keys);
  node->Init(input->meta(), npartitions, {}, HashNames(node->keys_, 0x73687566 + uint64_t(npartitions)));
  return node;
}

std::string ShuffleNode::Describe() const {
  return "Shuffle by [" + JoinNames(keys_) + "] into " + std::to_string(npartitions()) + " partitions";
}

std::vector<graph::Arg> ShuffleNode::Lower(LoweringContext& context) const {
  const auto inputs = context.Partitions(input());
  const auto keys = keys_;
  const int64_t outputs = npartitions();
  const uint32_t split = context.AddFunction("shuffle-split", [keys, outputs](const graph::TaskInputs& task) -> graph::ValuePtr {
    return std::make_shared<const TableListValue>(compute::PartitionByHash(*TableOf(task.Get(0)), keys, outputs));
  });
  const uint32_t gather = context.AddFunction("shuffle", [](const graph::TaskInputs& task) -> graph::ValuePtr {
    std::vector<TablePtr> tables;
    tables.reserve(task.size());
    for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
    return std::make_shared<const TableValue>(ConcatenateTables(tables));
  });
  const std::string token = TokenText(this->token());
  const uint32_t split_name = graph::InternName(prefix() + "-split-" + token);
  std::vector<graph::Arg> splits;
  for (size_t i = 0; i < inputs.size(); ++i) splits.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const auto pieces = context.SplitPieces(splits, outputs, prefix() + "-piece", token);
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < outputs; ++j) partitions.push_back(context.AddTask(output_name, j, gather, pieces[size_t(j)]));
  return partitions;
}

}  // namespace tessera::expr
