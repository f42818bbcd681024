// Where lazy frames come from: CSV files, tables in memory, the timeseries data set, delayed
// tables.
#pragma once

#include <string>
#include <vector>

#include "tessera/dataframe/dataframe.hpp"
#include "tessera/datasets/timeseries.hpp"
#include "tessera/delayed/delayed.hpp"
#include "tessera/io/csv/csv_options.hpp"
#include "tessera/io/parquet/parquet_dataset.hpp"

namespace tessera::dataframe {

/// Files (paths, globs) read lazily, one partition per block of `options.blocksize` bytes. The
/// files are opened, their headers read and types inferred now; rows are parsed at compute().
/// With `nrows` the rows are read now.
DataFrame read_csv(const std::vector<std::string>& paths, const io::CsvReadOptions& options = {});
DataFrame read_csv(const std::string& path, const io::CsvReadOptions& options = {});

/// Parquet files (paths, globs, hive-partitioned directories) read lazily, one partition per
/// piece of row groups. Footers are read now; column chunks at compute(), only those of the
/// columns the plan uses, skipping row groups that filters above rule out by their statistics.
/// `calculate_divisions`: known divisions from the index column's statistics.
DataFrame read_parquet(const std::vector<std::string>& paths, const io::parquet::ParquetReadOptions& options = {},
                       bool calculate_divisions = false);

/// Tables in memory as partitions (one schema). `divisions`: npartitions + 1 sorted index
/// boundaries, or empty (unknown).
DataFrame from_tables(std::vector<TablePtr> tables, expr::Divisions divisions = {});
/// One table split into `npartitions` row ranges (Dask's from_pandas). With `sort` and an
/// index, the table is sorted by index first and divisions are known.
DataFrame from_table(const TablePtr& table, int64_t npartitions, bool sort = true);

/// dask.datasets.timeseries(): generated per partition at compute(), known daily divisions.
DataFrame timeseries(const datasets::TimeseriesOptions& options = {});
/// Registers how timeseries partitions are rebuilt from bytes in another process (called by
/// timeseries() and on import of the Python module). Idempotent.
void RegisterSourceGenerators();

/// Delayed tables as partitions: they are computed now (persisted) and read from the store.
/// `meta` declares their columns (null = the first table's).
DataFrame from_delayed(const std::vector<Delayed<TablePtr>>& parts, TablePtr meta = nullptr,
                       sched::Scheduler& scheduler = sched::DefaultScheduler());

}  // namespace tessera::dataframe
