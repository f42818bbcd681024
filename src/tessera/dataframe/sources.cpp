// read_csv, read_parquet, from_tables, from_table, timeseries, from_delayed.
#include "tessera/dataframe/sources.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/read_parquet_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/io/csv/csv_reader.hpp"

namespace tessera::dataframe {

DataFrame read_csv(const std::vector<std::string>& paths, const io::CsvReadOptions& options) {
  if (options.nrows) return from_tables(io::ReadCsv(paths, options));  // a row limit reads blocks in order
  return DataFrame(expr::ReadCsvNode::Make(std::make_shared<const io::CsvPlan>(io::PlanCsv(paths, options))));
}

DataFrame read_csv(const std::string& path, const io::CsvReadOptions& options) {
  return read_csv(std::vector<std::string>{path}, options);
}

DataFrame read_parquet(const std::vector<std::string>& paths, const io::parquet::ParquetReadOptions& options,
                       bool calculate_divisions) {
  auto plan = std::make_shared<const io::parquet::ParquetPlan>(io::parquet::PlanParquet(paths, options));
  return DataFrame(expr::ReadParquetNode::Make(std::move(plan), calculate_divisions));
}

DataFrame from_tables(std::vector<TablePtr> tables, expr::Divisions divisions) {
  return DataFrame(expr::FromTablesNode::Make(std::move(tables), std::move(divisions)));
}

DataFrame from_table(const TablePtr& table, int64_t npartitions, bool sort) {
  if (npartitions < 1) throw InvalidArgument("from_table needs npartitions >= 1, got " + std::to_string(npartitions));
  TablePtr data = table;
  const bool indexed = sort && table->has_index() && table->num_rows() > 0;
  if (indexed) {
    const ColumnPtr order = compute::SortIndices(*table->index());
    data = compute::Take(*table, *order);
  }
  const int64_t rows = data->num_rows();
  std::vector<TablePtr> parts;
  expr::Divisions divisions;
  int64_t begin = 0;
  for (int64_t p = 0; p < npartitions && begin < rows; ++p) {
    int64_t end = p + 1 == npartitions ? rows : std::max(begin + 1, rows * (p + 1) / npartitions);
    // Equal index values stay in one partition, so divisions separate partitions cleanly.
    if (indexed) {
      const Column& index = *data->index();
      while (end < rows && compute::Scalar(expr::ScalarAt(index, end)) == expr::ScalarAt(index, end - 1)) ++end;
    }
    parts.push_back(data->Slice(begin, end - begin));
    if (indexed) divisions.push_back(expr::ScalarAt(*data->index(), begin));
    begin = end;
  }
  if (parts.empty()) parts.push_back(data);
  if (indexed) divisions.push_back(expr::ScalarAt(*data->index(), rows - 1));
  return from_tables(std::move(parts), std::move(divisions));
}

DataFrame timeseries(const datasets::TimeseriesOptions& options) {
  const std::vector<int64_t> boundaries = datasets::TimeseriesDivisions(options);
  expr::Divisions divisions;
  for (int64_t boundary : boundaries) {
    int64_t ticks = 0;
    ConvertTicks(boundary, TimeUnit::kNano, options.unit, &ticks);  // coarser: always fits
    divisions.push_back(compute::Scalar::Timestamp(ticks, options.unit));
  }
  const TablePtr meta = datasets::TimeseriesPartition(options, {boundaries[0], boundaries[0] + 1}, 0)->Slice(0, 0);
  uint64_t parameters = HashBytes(options.start.data(), options.start.size(), options.seed * 4 + uint64_t(options.unit));
  for (const std::string* text : {&options.end, &options.freq, &options.partition_freq}) {
    parameters = HashBytes(text->data(), text->size(), parameters);
  }
  RegisterSourceGenerators();
  auto generator = [options, boundaries](int64_t partition) {
    return datasets::TimeseriesPartition(options, boundaries, size_t(partition));
  };
  expr::PortableFunction portable{"timeseries", [options] {
                                    std::string bytes;
                                    expr::NodeWriter out(&bytes);
                                    for (const std::string* text : {&options.start, &options.end, &options.freq, &options.partition_freq}) {
                                      out.String(*text);
                                    }
                                    out.Int(int64_t(options.seed));
                                    out.Int(int64_t(options.unit));
                                    return bytes;
                                  }};
  return DataFrame(expr::GeneratedNode::Make("make-timeseries",
                                             "Timeseries " + options.start + " to " + options.end + " every " + options.freq,
                                             meta, int64_t(boundaries.size()) - 1, std::move(divisions), generator,
                                             parameters, std::move(portable)));
}

void RegisterSourceGenerators() {
  expr::RegisterGenerator("timeseries", [](std::string_view bytes) -> expr::GeneratedNode::Generator {
    expr::NodeReader in(bytes);
    datasets::TimeseriesOptions options;
    for (std::string* text : {&options.start, &options.end, &options.freq, &options.partition_freq}) *text = in.String();
    options.seed = uint64_t(in.Int());
    options.unit = TimeUnit(in.Int());
    const std::vector<int64_t> boundaries = datasets::TimeseriesDivisions(options);
    return [options, boundaries](int64_t partition) {
      return datasets::TimeseriesPartition(options, boundaries, size_t(partition));
    };
  });
}

DataFrame from_delayed(const std::vector<Delayed<TablePtr>>& parts, TablePtr meta, sched::Scheduler& scheduler) {
  if (parts.empty()) throw InvalidArgument("from_delayed needs at least one part");
  const auto persisted = tessera::persist(parts, scheduler);
  auto held = std::make_shared<std::vector<sched::ResultHandle>>();
  std::vector<graph::Key> keys;
  for (size_t i = 0; i < persisted.size(); ++i) {
    const sched::ResultHandle& handle = persisted[i].node()->held;
    const TablePtr table = ValueTraits<TablePtr>::Unbox(handle->Wait());
    if (meta == nullptr) meta = table->Slice(0, 0);
    if (!(table->schema() == meta->schema())) {
      throw TypeError("from_delayed: part " + std::to_string(i) + " has columns\n" + table->schema().ToString() +
                      "\nbut meta declares\n" + meta->schema().ToString());
    }
    keys.push_back(handle->key());
    held->push_back(handle);
  }
  return DataFrame(expr::FromPersistedNode::Make(keys, held, meta, {}, "from_delayed " + std::to_string(parts.size()) + " parts"));
}

}  // namespace tessera::dataframe
