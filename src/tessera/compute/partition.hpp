// Splitting one partition into many: the send side of a shuffle (hash partitioning for group-by
// and merge) and of set_index / sort (range partitioning by Dask divisions). Each kernel computes a
// partition id per row once, counting-sorts the row positions by id (one pass to count, one to
// scatter), gathers every column with that one permutation, and hands out zero-copy slices of
// the gathered table. Row order within each output partition is the input order.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/table.hpp"

namespace tessera::compute {

/// Splits `table` into `num_partitions` tables by the hash of the key columns (HashRows):
/// row r goes to partition floor(hash(r) * num_partitions / 2^64), so equal keys meet in the same
/// partition whatever input partition they come from. Outputs keep the columns, index and row
/// order of the input; empty partitions are empty tables of the same schema. The outputs share
/// one gathered buffer per column (they are slices of it).
std::vector<TablePtr> PartitionByHash(const Table& table, const std::vector<std::string>& keys,
                                      int num_partitions);

/// Splits `table` by the values of column `key` against sorted boundaries b0 <= b1 <= ... <= bn
/// (Dask's divisions), giving n partitions:
/// - partition i holds b_i <= x < b_{i+1}; the last partition also holds x == b_n;
/// - values below b0 go to partition 0 and values above b_n to the last partition, so no row is
///   lost when the divisions came from a sample;
/// - nulls and NaN go to the last partition (pandas' na_position="last");
/// - with repeated boundaries a value goes to the last partition whose lower bound it reaches
///   (numpy searchsorted side="right", as Dask does).
/// Integer, bool, timestamp, duration and date keys compare as int64 (uint64 values above the
/// int64 range are above every boundary); float keys compare as double; string and categorical
/// keys compare as UTF-8 bytes (categoricals by their category string). Throws InvalidArgument for
/// fewer than two boundaries, unsorted or null boundaries, and TypeError when the boundary type
/// does not fit the key (numbers for a string key or the reverse).
std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const Column& boundaries);
std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<Scalar>& boundaries);
/// Integer boundaries (timestamps as nanoseconds since the epoch). With a float key they compare
/// as double.
std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<int64_t>& boundaries);
/// Float boundaries; an integer key is then compared as double.
std::vector<TablePtr> PartitionByBoundaries(const Table& table, const std::string& key,
                                            const std::vector<double>& boundaries);

/// The partition id PartitionByBoundaries gives each row of `table` (same rules and errors),
/// without moving any row.
std::vector<int32_t> PartitionIdsByBoundaries(const Table& table, const std::string& key,
                                              const std::vector<Scalar>& boundaries);

/// Splits `table` by a precomputed partition id per row (ids.size() == num_rows, each id in
/// [0, num_partitions), else InvalidArgument). The building block of the two kernels above.
std::vector<TablePtr> PartitionByIds(const Table& table, std::span<const int32_t> ids,
                                     int num_partitions);

}  // namespace tessera::compute
