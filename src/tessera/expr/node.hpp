// The logical plan of a lazy collection: a DAG of immutable nodes, each describing a partitioned
// table (its meta: an empty table with the result's columns, dtypes and index; its number of
// partitions; its divisions when known). Nodes are built by the DataFrame API, rewritten by the
// optimizer and lowered to a task graph (lowering.hpp). Every node has a token: a hash of its
// kind, parameters and inputs' tokens, so equal sub-plans get equal task keys and are computed
// once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/compute/group_by.hpp"
#include "tessera/compute/scalar.hpp"
#include "tessera/expr/column_expr.hpp"
#include "tessera/graph/task.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/table/table.hpp"

namespace tessera::expr {

class Node;
using NodePtr = std::shared_ptr<const Node>;
class LoweringContext;
class NodeWriter;
class NodeReader;
struct NodeShape;

/// Sorted index boundaries: npartitions + 1 values, or empty when unknown (as Dask's
/// (None,) * (npartitions + 1)).
using Divisions = std::vector<compute::Scalar>;

enum class NodeKind : uint8_t {
  kReadCsv,
  kReadParquet,    // read_parquet (read_parquet_node.hpp)
  kFromTables,
  kFromPersisted,
  kTimeseries,
  kProject,        // named column expressions (select, assign, rename, drop, astype, ...)
  kFilter,         // rows where a bool expression holds
  kMapPartitions,  // a C++ callable per partition
  kReduce,         // per-column reductions -> one partition
  kGroupBy,        // group-by aggregation, value counts
  kShuffle,        // rows moved between partitions by the hash of key columns
  kHead,           // first rows of the first partitions
  kPartitions,     // a subset of the input's partitions
  kSetIndex,       // sorted by a column into partitions with known divisions
  kConcat,         // the partitions of several frames, one after the other
  kRepartition,    // neighbouring partitions merged or partitions split into row ranges
  kRolling,        // moving windows, with rows brought over from earlier partitions
  kMerge,          // two collections joined on keys or index
  kBroadcastScalars,  // single values added as columns on every row
  kInputStub,      // the shape of an input of a node read back from bytes (node_codec.hpp)
  kZipPartitions,     // a callable over the i-th partitions of several inputs
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;

  NodeKind kind() const { return kind_; }
  const std::vector<NodePtr>& inputs() const { return inputs_; }
  const NodePtr& input() const { return inputs_.at(0); }
  /// An empty table with the output's columns, dtypes and index.
  const TablePtr& meta() const { return meta_; }
  int64_t npartitions() const { return npartitions_; }
  const Divisions& divisions() const { return divisions_; }
  bool known_divisions() const { return !divisions_.empty(); }
  uint64_t token() const { return token_; }
  /// Task key name of the output partitions: "<prefix>-<token hex>".
  std::string name() const;

  /// Short operation name, used as the task prefix ("read-csv", "filter", "sum-chunk").
  virtual std::string prefix() const = 0;
  /// One line for explain(): "Filter (fare_amount > 0)".
  virtual std::string Describe() const = 0;
  /// Blockwise nodes compute output partition i from input partition i alone; consecutive
  /// blockwise nodes are fused into one task per partition.
  virtual bool blockwise() const { return false; }
  /// Blockwise nodes: output partition `partition` from the input's.
  virtual TablePtr ApplyPartition(const TablePtr& input, int64_t partition) const;
  /// Non-blockwise nodes: adds their tasks and returns one argument per output partition.
  virtual std::vector<graph::Arg> Lower(LoweringContext& context) const;
  /// The same node over other inputs (used by optimizer rewrites).
  virtual NodePtr WithInputs(std::vector<NodePtr> inputs) const = 0;
  /// Runs stage `stage` of one task Lower added with LoweringContext::AddStage (the work of
  /// that task function; the same code in process and on a worker that read the node back).
  virtual graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const;
  /// Writes the parameters RunStage and ApplyPartition read, after the shape WriteNode writes
  /// (node_codec.hpp). NotImplemented naming the node when it cannot leave the process.
  virtual void WriteParameters(NodeWriter& out) const;

 protected:
  Node(NodeKind kind, std::vector<NodePtr> inputs) : kind_(kind), inputs_(std::move(inputs)) {}
  /// Sets meta, npartitions, divisions and the token (hash of `parameters` and the inputs').
  void Init(TablePtr meta, int64_t npartitions, Divisions divisions, uint64_t parameters);
  /// Sets them as a node read back from bytes had them (ReadNode).
  void Restore(const NodeShape& shape);

 private:
  NodeKind kind_;
  std::vector<NodePtr> inputs_;
  TablePtr meta_;
  int64_t npartitions_ = 0;
  Divisions divisions_;
  uint64_t token_ = 0;
};

/// read_csv: one partition per byte-range block of the plan.
class ReadCsvNode final : public Node {
 public:
  static NodePtr Make(std::shared_ptr<const io::CsvPlan> plan);
  const io::CsvPlan& plan() const { return *plan_; }
  /// The same files reading only `columns` (names of this node's output, any order).
  NodePtr WithColumns(const std::vector<std::string>& columns) const;
  std::string prefix() const override { return "read-csv"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, const NodeShape& shape);

 private:
  explicit ReadCsvNode(std::shared_ptr<const io::CsvPlan> plan);
  std::shared_ptr<const io::CsvPlan> plan_;
};

/// Tables already in memory (from_tables / from_pandas).
class FromTablesNode final : public Node {
 public:
  /// `divisions` empty = unknown. Tables must share one schema (TypeError naming the mismatch).
  static NodePtr Make(std::vector<TablePtr> tables, Divisions divisions = {});
  const std::vector<TablePtr>& tables() const { return tables_; }
  std::string prefix() const override { return "from-tables"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }

 private:
  FromTablesNode(std::vector<TablePtr> tables, Divisions divisions);
  std::vector<TablePtr> tables_;
};

/// Results the scheduler holds (after persist()): partition i is the value of keys[i], kept
/// alive by `handles` (type-erased so this layer does not depend on the scheduler).
class FromPersistedNode final : public Node {
 public:
  /// `lengths`: rows per partition when known (empty = unknown).
  static NodePtr Make(std::vector<graph::Key> keys, std::shared_ptr<const void> handles, TablePtr meta,
                      Divisions divisions, std::string description, std::vector<int64_t> lengths = {});
  const std::vector<graph::Key>& keys() const { return keys_; }
  const std::vector<int64_t>& lengths() const { return lengths_; }
  std::string prefix() const override { return "persisted"; }
  std::string Describe() const override { return "FromPersisted " + description_; }
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }

 private:
  FromPersistedNode(std::vector<graph::Key> keys, std::shared_ptr<const void> handles);
  std::vector<graph::Key> keys_;
  std::shared_ptr<const void> handles_;
  std::string description_;
  std::vector<int64_t> lengths_;
};

/// A function over partitions that can leave the process: the kind its reader is registered
/// under (RegisterPartitionFunction in node_codec.hpp) and a hook writing its bytes, called only
/// when a graph is serialised (building plans locally never pays for it).
struct PortableFunction {
  std::string kind;
  std::function<std::string()> serialize;
  explicit operator bool() const { return !kind.empty(); }
};

/// A source whose partition i is made by a function of i (timeseries, generators).
class GeneratedNode final : public Node {
 public:
  using Generator = std::function<TablePtr(int64_t partition)>;
  /// `portable`: how the generator leaves the process (a reader registered with
  /// RegisterGenerator in node_codec.hpp); without it the node runs only in this process.
  static NodePtr Make(std::string prefix, std::string description, TablePtr meta, int64_t npartitions,
                      Divisions divisions, Generator generator, uint64_t parameters, PortableFunction portable = {});
  std::string prefix() const override { return prefix_; }
  std::string Describe() const override { return description_; }
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, const NodeShape& shape);

 private:
  GeneratedNode() : Node(NodeKind::kTimeseries, {}) {}
  std::string prefix_;
  std::string description_;
  Generator generator_;
  std::shared_ptr<const PortableFunction> portable_;
};

/// Output columns computed from the input's columns; the index passes through unless
/// `index` is given (then it becomes the new index; null = keep).
class ProjectNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, std::vector<NamedExpr> columns);
  const std::vector<NamedExpr>& columns() const { return columns_; }
  /// `expression`, written over this node's output, rewritten over its input (each column
  /// reference replaced by that column's definition).
  ColumnExprPtr Inline(const ColumnExprPtr& expression) const;
  std::string prefix() const override;
  std::string Describe() const override;
  bool blockwise() const override { return true; }
  TablePtr ApplyPartition(const TablePtr& input, int64_t partition) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), columns_); }
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit ProjectNode(NodePtr input) : Node(NodeKind::kProject, {std::move(input)}) {}
  std::vector<NamedExpr> columns_;
};

/// Rows where `predicate` is true (null counts as false).
class FilterNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, ColumnExprPtr predicate);
  const ColumnExprPtr& predicate() const { return predicate_; }
  std::string prefix() const override { return "filter"; }
  std::string Describe() const override { return "Filter " + predicate_->ToString(); }
  bool blockwise() const override { return true; }
  TablePtr ApplyPartition(const TablePtr& input, int64_t partition) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), predicate_); }
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit FilterNode(NodePtr input) : Node(NodeKind::kFilter, {std::move(input)}) {}
  ColumnExprPtr predicate_;
};

/// A C++ callable applied to every partition. `meta` is the declared output (an empty table),
/// checked against each result. `portable` (optional) is how the function leaves the process
/// (node_codec.hpp); without it the node runs only in this process.
class MapPartitionsNode final : public Node {
 public:
  using Function = std::function<TablePtr(const TablePtr& partition)>;
  static NodePtr Make(NodePtr input, Function function, TablePtr meta, std::string name,
                      bool keep_divisions, PortableFunction portable = {});
  /// With divisions the caller knows hold for the output (set_index of sorted data).
  static NodePtr MakeWithDivisions(NodePtr input, Function function, TablePtr meta, std::string name,
                                   Divisions divisions, PortableFunction portable = {});
  std::string prefix() const override { return name_; }
  std::string Describe() const override { return "MapPartitions " + name_; }
  bool blockwise() const override { return true; }
  TablePtr ApplyPartition(const TablePtr& input, int64_t partition) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit MapPartitionsNode(NodePtr input) : Node(NodeKind::kMapPartitions, {std::move(input)}) {}
  Function function_;
  std::shared_ptr<const PortableFunction> portable_;
  std::string name_;
  bool keep_divisions_ = false;
  Divisions divisions_;  // set by MakeWithDivisions
  uint64_t identity_ = 0;
};

/// The first `n` rows found in the first `partitions` partitions (one output partition).
class HeadNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, int64_t n, int64_t partitions);
  std::string prefix() const override { return "head"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), n_, partitions_); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit HeadNode(NodePtr input) : Node(NodeKind::kHead, {std::move(input)}) {}
  int64_t n_ = 0;
  int64_t partitions_ = 1;
};

/// The input's partitions `indices`, in that order (head/tail, partition pruning).
class PartitionsNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, std::vector<int64_t> indices);
  std::string prefix() const override { return "partitions"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), indices_); }

 private:
  explicit PartitionsNode(NodePtr input) : Node(NodeKind::kPartitions, {std::move(input)}) {}
  std::vector<int64_t> indices_;
};

/// Rows moved to `npartitions` outputs by the hash of `keys` (equal keys meet in one output).
class ShuffleNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, std::vector<std::string> keys, int64_t npartitions);
  const std::vector<std::string>& keys() const { return keys_; }
  std::string prefix() const override { return "shuffle"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), keys_, npartitions()); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit ShuffleNode(NodePtr input) : Node(NodeKind::kShuffle, {std::move(input)}) {}
  std::vector<std::string> keys_;
};

/// Rows of `node`'s output when known without computing (persisted or in-memory data under
/// row-preserving projections).
std::optional<int64_t> KnownLength(const NodePtr& node);

/// Hex token text for names.
std::string TokenText(uint64_t token);

}  // namespace tessera::expr

namespace tessera::expr {

/// Several tables as one task result (the pieces of a partition split for a shuffle).
class TableListValue final : public graph::Value {
 public:
  /// Registers the deserialiser on first use, so lists can spill (a split partition waiting
  /// for its pieces may be most of the memory in use).
  explicit TableListValue(std::vector<TablePtr> tables);
  const std::vector<TablePtr>& tables() const { return tables_; }
  int64_t nbytes() const override;
  std::string_view type_name() const override { return "table-list"; }
  /// [count][length, table bytes]... in the table binary format.
  void Serialize(ByteSink& out) const override;

 private:
  std::vector<TablePtr> tables_;
};

}  // namespace tessera::expr
