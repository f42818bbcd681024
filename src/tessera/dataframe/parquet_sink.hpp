// DataFrame.to_parquet: one Parquet file per partition, written by one task each, optionally
// split into hive key=value directories by the values of `partition_on` columns.
#pragma once

#include <string>
#include <vector>

#include "tessera/dataframe/dataframe.hpp"
#include "tessera/io/parquet/parquet_writer.hpp"

namespace tessera::dataframe {

/// Writes partition i of `frame` to `directory`/`file_names[i]` (one name per partition), or
/// with `partition_on` to `directory`/k1=v1/.../`file_names[i]` for each combination of values
/// in the partition, without those columns. Returns the paths written, in partition order.
std::vector<std::string> to_parquet(const DataFrame& frame, const std::string& directory,
                                    const std::vector<std::string>& file_names,
                                    const io::parquet::ParquetWriteOptions& options,
                                    const std::vector<std::string>& partition_on, sched::Scheduler& scheduler);

}  // namespace tessera::dataframe
