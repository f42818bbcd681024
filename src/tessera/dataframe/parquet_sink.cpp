#include "tessera/dataframe/parquet_sink.hpp"

#include <algorithm>
#include <map>

#include "tessera/base/error.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/dataframe/execution.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/io/parquet/compression.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {
namespace {

// The directory text of a partition value, as pyarrow and Dask write it.
std::string DirectoryText(const Column& column, int64_t row) {
  if (column.IsNull(row)) return "__HIVE_DEFAULT_PARTITION__";
  if (column.type().id() == TypeId::kString) return std::string(column.GetString(row));
  return expr::ScalarAt(column, row).ToString();
}

std::vector<std::string> WritePartition(const TablePtr& table, const std::string& directory, const std::string& name,
                                        const io::parquet::ParquetWriteOptions& options,
                                        const std::vector<std::string>& partition_on) {
  if (partition_on.empty()) {
    const std::string path = directory + "/" + name;
    io::parquet::WriteParquetTable(*table, path, options);
    return {path};
  }
  std::vector<ColumnPtr> keys;
  for (const auto& key : partition_on) keys.push_back(table->column(key));
  std::vector<std::string> kept;
  for (const auto& column : table->column_names()) {
    if (std::find(partition_on.begin(), partition_on.end(), column) == partition_on.end()) kept.push_back(column);
  }
  std::map<std::string, std::vector<int64_t>> groups;  // sub-directory -> rows
  for (int64_t row = 0; row < table->num_rows(); ++row) {
    std::string sub;
    for (size_t k = 0; k < keys.size(); ++k) sub += partition_on[k] + "=" + DirectoryText(*keys[k], row) + "/";
    groups[sub].push_back(row);
  }
  std::vector<int> positions;
  for (const auto& column : kept) positions.push_back(table->schema().FieldIndex(column));
  std::vector<std::string> paths;
  for (const auto& [sub, rows] : groups) {
    const TablePtr part = compute::Take(*table, rows);
    std::vector<ColumnPtr> columns;
    for (int p : positions) columns.push_back(part->column(p));
    const TablePtr written = Table::Make(kept, std::move(columns), part->index(), part->index_name());
    paths.push_back(directory + "/" + sub + name);
    io::parquet::WriteParquetTable(*written, paths.back(), options);
  }
  return paths;
}

}  // namespace

std::vector<std::string> to_parquet(const DataFrame& frame, const std::string& directory,
                                    const std::vector<std::string>& file_names,
                                    const io::parquet::ParquetWriteOptions& options,
                                    const std::vector<std::string>& partition_on, sched::Scheduler& scheduler) {
  if (int64_t(file_names.size()) != frame.npartitions()) {
    throw InvalidArgument("to_parquet needs one file name per partition: got " + std::to_string(file_names.size()) +
                          " for " + std::to_string(frame.npartitions()) + " partitions");
  }
  const TablePtr meta = frame.node()->meta();
  for (const auto& key : partition_on) {
    if (meta->schema().FieldIndex(key) < 0) {
      throw KeyError("partition_on column '" + key + "' is not a column of the frame");
    }
  }
  io::parquet::ParseCodec(options.compression);  // a bad name fails before any task runs
  // One task per partition writes its files and returns their paths.
  std::vector<expr::NodePtr> writers;
  for (int64_t p = 0; p < frame.npartitions(); ++p) {
    const std::string name = file_names[size_t(p)];
    auto write = [directory, name, options, partition_on](const TablePtr& table) {
      StringBuilder paths(1, 64);
      for (const auto& path : WritePartition(table, directory, name, options, partition_on)) paths.Append(path);
      return Table::Make({"path"}, {paths.Finish()});
    };
    writers.push_back(expr::MapPartitionsNode::Make(expr::PartitionsNode::Make(frame.node(), {p}), write,
                                                    Table::MakeEmpty(Schema({Field{"path", types::String()}})),
                                                    "to-parquet", false));
  }
  std::vector<std::string> paths;
  for (const auto& table : execution::Compute(writers, scheduler)) {
    for (int64_t i = 0; i < table->num_rows(); ++i) paths.emplace_back(table->column(0)->GetString(i));
  }
  return paths;
}

}  // namespace tessera::dataframe
