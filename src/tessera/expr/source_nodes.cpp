// Source nodes: read_csv (three tasks per block), tables in memory, persisted results and
// generated partitions.
#include <algorithm>
#include <atomic>
#include <map>
#include <optional>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/node_internal.hpp"
#include "tessera/table/table_serialize.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

using internal::EmptyLike;
using internal::HashNames;
using internal::JoinNames;

// ---------------------------------------------------------------------------------------------
// read_csv

namespace {

void WriteOptionalTable(ByteSink& out, const TablePtr& table) {
  out.WriteRaw(uint8_t(table != nullptr));
  if (table) SerializeTable(*table, out);
}

TablePtr ReadOptionalTable(ByteReader& in) { return in.ReadRaw<uint8_t>() ? DeserializeTable(in) : nullptr; }

// One parsed block, before its start is checked against the previous block's end. A parse
// error does not travel between processes: the bytes say only that the block failed, and the
// check step reads the block again to report it (see ReadCsvNode::RunStage).
class CsvBlockValue final : public graph::Value {
 public:
  explicit CsvBlockValue(io::CsvBlockResult result) : result_(std::move(result)) {
    static const bool registered = [] {
      graph::RegisterValueType("csv-block", [](ByteReader& in) -> graph::ValuePtr {
        io::CsvBlockResult result;
        result.first_row_offset = in.ReadRaw<int64_t>();
        result.end_offset = in.ReadRaw<int64_t>();
        result.table = ReadOptionalTable(in);
        return std::make_shared<const CsvBlockValue>(std::move(result));
      });
      return true;
    }();
    (void)registered;
  }
  const io::CsvBlockResult& result() const { return result_; }
  /// Neither a table nor an error: it failed in another process.
  bool failed_elsewhere() const { return result_.table == nullptr && result_.error == nullptr; }
  int64_t nbytes() const override { return result_.table ? result_.table->nbytes() : 0; }
  std::string_view type_name() const override { return "csv-block"; }
  void Serialize(ByteSink& out) const override {
    out.WriteRaw(result_.first_row_offset);
    out.WriteRaw(result_.end_offset);
    WriteOptionalTable(out, result_.error ? nullptr : result_.table);
  }

 private:
  io::CsvBlockResult result_;
};

// Where a block really ends, and its table when it had to be re-read from the right start.
class CsvCheckValue final : public graph::Value {
 public:
  CsvCheckValue(int64_t end_offset, TablePtr reread) : end_offset_(end_offset), reread_(std::move(reread)) {
    static const bool registered = [] {
      graph::RegisterValueType("csv-check", [](ByteReader& in) -> graph::ValuePtr {
        const int64_t end = in.ReadRaw<int64_t>();
        return std::make_shared<const CsvCheckValue>(end, ReadOptionalTable(in));
      });
      return true;
    }();
    (void)registered;
  }
  int64_t end_offset() const { return end_offset_; }
  const TablePtr& reread() const { return reread_; }
  int64_t nbytes() const override { return reread_ ? reread_->nbytes() : 0; }
  std::string_view type_name() const override { return "csv-check"; }
  void Serialize(ByteSink& out) const override {
    out.WriteRaw(end_offset_);
    WriteOptionalTable(out, reread_);
  }

 private:
  int64_t end_offset_;
  TablePtr reread_;
};

// Writes and reads every field VisitCsvReadOptions lists.
struct OptionWriter {
  NodeWriter& out;
  void operator()(const char*, char value) { out.Int(value); }
  void operator()(const char*, int value) { out.Int(value); }
  void operator()(const char*, int64_t value) { out.Int(value); }
  void operator()(const char*, bool value) { out.Bool(value); }
  void operator()(const char*, TimeUnit value) { out.Int(int64_t(value)); }
  void operator()(const char*, const std::string& value) { out.String(value); }
  void operator()(const char*, const std::vector<std::string>& value) { out.Strings(value); }
  void operator()(const char*, const std::map<std::string, std::string>& value) {
    out.Int(int64_t(value.size()));
    for (const auto& [key, text] : value) {
      out.String(key);
      out.String(text);
    }
  }
  template <typename T>
  void operator()(const char* name, const std::optional<T>& value) {
    out.Bool(value.has_value());
    if (value) (*this)(name, *value);
  }
};

struct OptionReader {
  NodeReader& in;
  void operator()(const char*, char& value) { value = char(in.Int()); }
  void operator()(const char*, int& value) { value = int(in.Int()); }
  void operator()(const char*, int64_t& value) { value = in.Int(); }
  void operator()(const char*, bool& value) { value = in.Bool(); }
  void operator()(const char*, TimeUnit& value) { value = TimeUnit(in.Int()); }
  void operator()(const char*, std::string& value) { value = in.String(); }
  void operator()(const char*, std::vector<std::string>& value) { value = in.Strings(); }
  void operator()(const char*, std::map<std::string, std::string>& value) {
    for (size_t n = in.Count("dtype entries", 16); n > 0; --n) {
      std::string key = in.String();
      value[key] = in.String();
    }
  }
  template <typename T>
  void operator()(const char* name, std::optional<T>& value) {
    if (!in.Bool()) return;
    T inner{};
    (*this)(name, inner);
    value = inner;
  }
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

namespace {
enum CsvStage { kCsvParse, kCsvCheck, kCsvOutput };
}  // namespace

graph::ValuePtr ReadCsvNode::RunStage(int stage, const graph::TaskInputs& task) const {
  const io::CsvPlan& plan = *plan_;
  const size_t b = size_t(task.key().index);
  switch (stage) {
    case kCsvParse: return std::make_shared<const CsvBlockValue>(io::ReadCsvBlock(plan, b));
    case kCsvCheck: {
      const auto& parsed = ValueAs<CsvBlockValue>(task.Get(0));
      const auto& block = parsed.result();
      const int64_t expected = task.size() > 1 ? ValueAs<CsvCheckValue>(task.Get(1)).end_offset()
                                               : plan.files[size_t(plan.blocks[b].file)].data_start;
      if (block.first_row_offset == expected && !parsed.failed_elsewhere()) {
        io::RethrowCsvBlockError(plan, block);
        return std::make_shared<const CsvCheckValue>(block.end_offset, nullptr);
      }
      io::CsvBlockResult reread = io::ReadCsvBlock(plan, b, expected);
      io::RethrowCsvBlockError(plan, reread);
      return std::make_shared<const CsvCheckValue>(reread.end_offset, reread.table);
    }
    case kCsvOutput: {
      const auto& checked = ValueAs<CsvCheckValue>(task.Get(1));
      TablePtr table = checked.reread() ? checked.reread() : ValueAs<CsvBlockValue>(task.Get(0)).result().table;
      const Schema& expected = meta()->schema();
      for (int k = 0; k < expected.num_fields(); ++k) {
        const Field& found = table->schema().field(k);
        if (found.type != expected.field(k).type) {
          const auto& block = plan.blocks[b];
          throw TypeError("column '" + found.name + "' of " + plan.files[size_t(block.file)].source->path() +
                          " holds values of type " + found.type.ToString() + " after byte " +
                          std::to_string(block.begin) + ", but the sampled rows gave " +
                          expected.field(k).type.ToString() + "; pass dtype={'" + found.name + "': '" +
                          found.type.ToString() + "'} to read_csv");
        }
      }
      return std::make_shared<const TableValue>(std::move(table));
    }
    default: return Node::RunStage(stage, task);
  }
}

void ReadCsvNode::WriteParameters(NodeWriter& out) const {
  io::CsvReadOptions options = plan_->options;
  io::VisitCsvReadOptions(options, OptionWriter{out});
  out.Int(int64_t(plan_->files.size()));
  for (const auto& file : plan_->files) {
    out.String(file.source->path());
    out.Int(file.data_start);
  }
  out.Int(int64_t(plan_->blocks.size()));
  for (const auto& block : plan_->blocks) {
    out.Int(block.file);
    out.Int(block.begin);
    out.Int(block.end);
  }
  out.Strings(plan_->file_columns);
  out.Int(int64_t(plan_->selected.size()));
  for (size_t k = 0; k < plan_->selected.size(); ++k) {
    out.Int(plan_->selected[k]);
    out.Type(plan_->types[k]);
    out.Bool(plan_->declared[k]);
    out.Double(plan_->average_field_bytes[k]);
  }
  out.Double(plan_->average_row_bytes);
}

NodePtr ReadCsvNode::Read(NodeReader& in, const NodeShape& shape) {
  auto plan = std::make_shared<io::CsvPlan>();
  io::VisitCsvReadOptions(plan->options, OptionReader{in});
  for (size_t n = in.Count("files", 16); n > 0; --n) {
    io::CsvFile file;
    const std::string path = in.String();
    file.source = io::OpenInput(path, io::ParseCompression(plan->options.compression, path));
    file.data_start = in.Int();
    plan->files.push_back(std::move(file));
  }
  for (size_t n = in.Count("blocks", 24); n > 0; --n) {
    io::CsvBlock block;
    block.file = int(in.Int());
    block.begin = in.Int();
    block.end = in.Int();
    if (block.file < 0 || size_t(block.file) >= plan->files.size()) throw IOError("read_csv stage names a file it does not hold");
    plan->blocks.push_back(block);
  }
  plan->file_columns = in.Strings();
  for (size_t n = in.Count("columns", 19); n > 0; --n) {
    plan->selected.push_back(int(in.Int()));
    plan->types.push_back(in.Type());
    plan->declared.push_back(in.Bool());
    plan->average_field_bytes.push_back(in.Double());
  }
  plan->average_row_bytes = in.Double();
  auto node = std::shared_ptr<ReadCsvNode>(new ReadCsvNode(std::move(plan)));
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> ReadCsvNode::Lower(LoweringContext& context) const {
  if (plan_->blocks.empty()) return {context.graph().AddLiteral(std::make_shared<const TableValue>(meta()))};
  // Three tasks per block: parse it (in parallel with every other block), check that it starts
  // where the previous block ended (re-reading it when a quoted line break fooled the guess),
  // and hand out its table.
  const uint32_t parse = context.AddStage(*this, kCsvParse, "read-csv-block");
  const uint32_t check = context.AddStage(*this, kCsvCheck, "read-csv-check");
  const uint32_t output = context.AddStage(*this, kCsvOutput, "read-csv");
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
                            Divisions divisions, Generator generator, uint64_t parameters, PortableFunction portable) {
  auto node = std::shared_ptr<GeneratedNode>(new GeneratedNode());
  if (portable) node->portable_ = std::make_shared<const PortableFunction>(std::move(portable));
  node->prefix_ = std::move(prefix);
  node->description_ = std::move(description);
  node->generator_ = std::move(generator);
  node->Init(std::move(meta), npartitions, std::move(divisions), HashText(node->prefix_, parameters));
  return node;
}

void GeneratedNode::WriteParameters(NodeWriter& out) const {
  if (portable_ == nullptr) {
    throw NotImplemented("the partitions of '" + prefix_ + "' come from a C++ function only this process can run; "
                         "they cannot be sent to another process yet");
  }
  out.String(prefix_);
  out.String(description_);
  out.String(portable_->kind);
  out.String(portable_->serialize());
}

NodePtr GeneratedNode::Read(NodeReader& in, const NodeShape& shape) {
  auto node = std::shared_ptr<GeneratedNode>(new GeneratedNode());
  node->prefix_ = in.String();
  node->description_ = in.String();
  const std::string kind = in.String();
  node->generator_ = ReadGenerator(kind, in.String());
  node->Restore(shape);
  return node;
}

graph::ValuePtr GeneratedNode::RunStage(int, const graph::TaskInputs& task) const {
  return std::make_shared<const TableValue>(generator_(task.key().index));
}

std::vector<graph::Arg> GeneratedNode::Lower(LoweringContext& context) const {
  const uint32_t function = context.AddStage(*this, 0, prefix_);
  const uint32_t name_id = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t i = 0; i < npartitions(); ++i) partitions.push_back(context.AddTask(name_id, i, function, {}));
  return partitions;
}

}  // namespace tessera::expr
