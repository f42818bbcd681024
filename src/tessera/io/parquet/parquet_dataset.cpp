#include "tessera/io/parquet/parquet_dataset.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <mutex>

#include "tessera/base/error.hpp"
#include "tessera/base/parallel.hpp"
#include "tessera/memory/buffer.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::io::parquet {
namespace {

namespace fs = std::filesystem;

bool Hidden(const std::string& name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

struct ListedFile {
  std::string path;
  std::vector<std::pair<std::string, std::string>> partitions;  // hive key=value, outermost first
};

// Files under a local directory, sorted, with the key=value segments of their relative paths.
void ListDirectory(const std::string& directory, std::vector<ListedFile>* out) {
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(directory); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (Hidden(name)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) found.push_back(it->path().string());
  }
  if (found.empty()) throw IOError("directory '" + directory + "' holds no Parquet files");
  std::sort(found.begin(), found.end());
  for (const auto& path : found) {
    ListedFile file{path, {}};
    const fs::path relative = fs::path(path).lexically_relative(directory).parent_path();
    for (const auto& segment : relative) {
      const std::string text = segment.string();
      const size_t equals = text.find('=');
      if (equals != std::string::npos && equals > 0) file.partitions.emplace_back(text.substr(0, equals), text.substr(equals + 1));
    }
    out->push_back(std::move(file));
  }
}

std::optional<std::string> IndexFromPandasMetadata(const ParquetFile& file) {
  const auto metadata = file.Metadata("pandas");
  if (!metadata) return std::nullopt;
  // {"index_columns": ["__index_level_0__"] or [{"kind": "range", ...}], ...}: only a stored
  // column names an index to read.
  const size_t key = metadata->find("\"index_columns\"");
  if (key == std::string::npos) return std::nullopt;
  const size_t open = metadata->find('[', key);
  if (open == std::string::npos) return std::nullopt;
  size_t at = open + 1;
  while (at < metadata->size() && std::isspace(static_cast<unsigned char>((*metadata)[at]))) ++at;
  if (at >= metadata->size() || (*metadata)[at] != '"') return std::nullopt;
  const size_t close = metadata->find('"', at + 1);
  if (close == std::string::npos) return std::nullopt;
  // A second entry is a MultiIndex, which tessera does not have: read those as columns.
  const size_t after = metadata->find_first_not_of(" \t\n", close + 1);
  if (after == std::string::npos || (*metadata)[after] != ']') return std::nullopt;
  return metadata->substr(at + 1, close - at - 1);
}

}  // namespace

TablePtr ParquetPlan::Meta() const {
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  const ParquetFile& first = *files.at(0);
  for (int c : selected) {
    names.push_back(file_columns[size_t(c)]);
    columns.push_back(Table::MakeEmpty(Schema({Field{"", first.columns()[size_t(c)].type}}))->column(0));
  }
  for (int k : selected_partitions) {
    names.push_back(partition_keys[size_t(k)]);
    columns.push_back(Table::MakeEmpty(Schema({Field{"", types::Categorical()}}))->column(0));
  }
  ColumnPtr index;
  if (index_column >= 0) {
    index = Table::MakeEmpty(Schema({Field{"", first.columns()[size_t(index_column)].type}}))->column(0);
  }
  return Table::Make(std::move(names), std::move(columns), std::move(index), index_name);
}

int ParquetPlan::FileColumn(int file, int column) const {
  if (file == 0) return column;
  return files[size_t(file)]->ColumnIndex(file_columns[size_t(column)]);
}

ParquetPlan PlanParquet(const std::vector<std::string>& paths, const ParquetReadOptions& options) {
  if (paths.empty()) throw InvalidArgument("read_parquet needs at least one path");
  std::vector<ListedFile> listed;
  for (const auto& path : paths) {
    std::error_code error;
    if (path.find("://") == std::string::npos && fs::is_directory(path, error)) {
      ListDirectory(path, &listed);
    } else {
      for (auto& file : ExpandPaths({path})) listed.push_back({std::move(file), {}});
    }
  }
  ParquetPlan plan;
  plan.files.resize(listed.size());
  ParallelFor(listed.size(), [&](size_t i) { plan.files[i] = ParquetFile::Open(listed[i].path); },
              std::min<int>(8, std::max(1, DefaultThreadCount())));
  const ParquetFile& first = *plan.files[0];
  for (const auto& column : first.columns()) plan.file_columns.push_back(column.name);

  // Hive partitions: every file must name the same keys.
  for (const auto& [key, value] : listed[0].partitions) plan.partition_keys.push_back(key);
  plan.partition_values.resize(plan.partition_keys.size());
  for (const auto& file : listed) {
    if (file.partitions.size() != plan.partition_keys.size()) {
      throw InvalidArgument("'" + file.path + "' lies at another depth of key=value directories than '" +
                            listed[0].path + "'; every file of a partitioned dataset needs the same keys");
    }
    for (size_t k = 0; k < file.partitions.size(); ++k) {
      if (file.partitions[k].first != plan.partition_keys[k]) {
        throw InvalidArgument("'" + file.path + "' has partition key '" + file.partitions[k].first +
                              "' where other files have '" + plan.partition_keys[k] + "'");
      }
      plan.partition_values[k].push_back(file.partitions[k].second);
    }
  }
  for (auto& values : plan.partition_values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
  }
  for (const auto& file : listed) {
    std::vector<int32_t> codes;
    for (size_t k = 0; k < file.partitions.size(); ++k) {
      const auto& values = plan.partition_values[k];
      codes.push_back(int32_t(std::lower_bound(values.begin(), values.end(), file.partitions[k].second) - values.begin()));
    }
    plan.file_partition_codes.push_back(std::move(codes));
  }

  // The index: named, from pandas' metadata, or none.
  std::string index = options.index.value_or("");
  if (!options.index) {
    if (auto recorded = IndexFromPandasMetadata(first); recorded && first.ColumnIndex(*recorded) >= 0) index = *recorded;
  }
  if (!index.empty()) {
    plan.index_column = first.ColumnIndex(index);
    if (plan.index_column < 0) {
      throw KeyError("index='" + index + "' is not a column of '" + first.path() + "'; its columns are " +
                     [&] {
                       std::string names;
                       for (const auto& n : plan.file_columns) names += (names.empty() ? "" : ", ") + n;
                       return names;
                     }());
    }
    plan.index_name = index.rfind("__index_level_", 0) == 0 ? "" : index;
  }

  // Selected columns: as asked, or every column but the index.
  auto select = [&](const std::string& name) {
    const int c = first.ColumnIndex(name);
    if (c >= 0) {
      if (c != plan.index_column) plan.selected.push_back(c);
      return;
    }
    const auto key = std::find(plan.partition_keys.begin(), plan.partition_keys.end(), name);
    if (key == plan.partition_keys.end()) {
      throw KeyError("column '" + name + "' is not in '" + first.path() + "'" +
                     (plan.partition_keys.empty() ? std::string() : " nor a partition key") +
                     "; check columns=");
    }
    plan.selected_partitions.push_back(int(key - plan.partition_keys.begin()));
  };
  if (options.columns.empty()) {
    for (const auto& name : plan.file_columns) select(name);
    for (const auto& key : plan.partition_keys) select(key);
  } else {
    for (const auto& name : options.columns) select(name);
  }
  std::vector<int> needed = plan.selected;
  if (plan.index_column >= 0) needed.push_back(plan.index_column);
  for (int c : needed) {
    if (!first.columns()[size_t(c)].unsupported.empty()) {
      throw NotImplemented("column '" + first.columns()[size_t(c)].name + "' of '" + first.path() + "' " +
                           first.columns()[size_t(c)].unsupported);
    }
  }
  // Every file must hold the needed columns with the first file's types.
  for (size_t f = 1; f < plan.files.size(); ++f) {
    for (int c : needed) {
      const int at = plan.FileColumn(int(f), c);
      if (at < 0) {
        throw KeyError("column '" + plan.file_columns[size_t(c)] + "' is missing from '" + plan.files[f]->path() +
                       "' (present in '" + first.path() + "')");
      }
      const DataType found = plan.files[f]->columns()[size_t(at)].type;
      if (found != first.columns()[size_t(c)].type) {
        throw TypeError("column '" + plan.file_columns[size_t(c)] + "' is " + found.ToString() + " in '" +
                        plan.files[f]->path() + "' but " + first.columns()[size_t(c)].type.ToString() + " in '" +
                        first.path() + "'");
      }
    }
  }

  // Pieces: row groups grouped per file.
  for (size_t f = 0; f < plan.files.size(); ++f) {
    const ParquetFile& file = *plan.files[f];
    plan.total_row_groups += file.num_row_groups();
    ParquetPiece piece{int(f), {}};
    int64_t bytes = 0;
    for (int g = 0; g < file.num_row_groups(); ++g) {
      int64_t group_bytes = 0;
      for (int c : needed) group_bytes += file.column_chunk_bytes(g, plan.FileColumn(int(f), c));
      const bool full = options.split_row_groups > 0
                            ? int64_t(piece.row_groups.size()) >= options.split_row_groups
                            : options.split_row_groups < 0 && !piece.row_groups.empty() &&
                                  bytes + group_bytes > options.blocksize;
      if (full) {
        plan.pieces.push_back(std::move(piece));
        piece = ParquetPiece{int(f), {}};
        bytes = 0;
      }
      piece.row_groups.push_back(g);
      bytes += group_bytes;
    }
    if (!piece.row_groups.empty() || file.num_row_groups() == 0) plan.pieces.push_back(std::move(piece));
  }
  return plan;
}

TablePtr ReadParquetPiece(const ParquetPlan& plan, size_t piece_index) {
  const ParquetPiece& piece = plan.pieces.at(piece_index);
  const ParquetFile& file = *plan.files[size_t(piece.file)];
  std::vector<int> columns;
  for (int c : plan.selected) columns.push_back(plan.FileColumn(piece.file, c));
  if (plan.index_column >= 0) columns.push_back(plan.FileColumn(piece.file, plan.index_column));
  const size_t num_columns = columns.size();
  std::vector<ColumnPtr> chunks(piece.row_groups.size() * num_columns);
  // Column chunks decode independently: one parallel job each.
  ParallelFor(chunks.size(), [&](size_t i) {
    chunks[i] = file.ReadColumnChunk(piece.row_groups[i / num_columns], columns[i % num_columns]);
  }, std::min<int>(int(chunks.size()), DefaultThreadCount()));
  int64_t rows = 0;
  for (int g : piece.row_groups) rows += file.row_group_num_rows(g);
  std::vector<std::string> names;
  std::vector<ColumnPtr> output;
  for (size_t k = 0; k < num_columns; ++k) {
    std::vector<ColumnPtr> parts;
    for (size_t g = 0; g < piece.row_groups.size(); ++g) parts.push_back(chunks[g * num_columns + k]);
    ColumnPtr column = parts.empty() ? nullptr : parts.size() == 1 ? parts[0] : ConcatenateColumns(parts);
    if (column == nullptr) {
      column = Table::MakeEmpty(Schema({Field{"", file.columns()[size_t(columns[k])].type}}))->column(0);
    }
    output.push_back(std::move(column));
  }
  ColumnPtr index;
  if (plan.index_column >= 0) {
    index = output.back();
    output.pop_back();
  }
  for (int c : plan.selected) names.push_back(plan.file_columns[size_t(c)]);
  for (int k : plan.selected_partitions) {
    names.push_back(plan.partition_keys[size_t(k)]);
    auto codes = memory::Buffer::Allocate(std::max<int64_t>(rows * 4, 1));
    std::fill_n(codes->mutable_data_as<int32_t>(), rows, plan.file_partition_codes[size_t(piece.file)][size_t(k)]);
    std::vector<std::optional<std::string>> categories(plan.partition_values[size_t(k)].begin(),
                                                       plan.partition_values[size_t(k)].end());
    output.push_back(Column::Make(types::Categorical(), rows, std::move(codes), nullptr, 0, nullptr,
                                  MakeStringColumn(categories)));
  }
  if (output.empty() && index == nullptr) return plan.Meta();
  return Table::Make(std::move(names), std::move(output), std::move(index), plan.index_name);
}

TablePtr ReadParquetTable(const std::vector<std::string>& paths, const ParquetReadOptions& options) {
  const ParquetPlan plan = PlanParquet(paths, options);
  std::vector<TablePtr> tables(plan.pieces.size());
  for (size_t p = 0; p < plan.pieces.size(); ++p) tables[p] = ReadParquetPiece(plan, p);
  if (tables.empty()) return plan.Meta();
  return ConcatenateTables(tables);
}

}  // namespace tessera::io::parquet
