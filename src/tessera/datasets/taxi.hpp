// Synthetic NYC-yellow-taxi-2015 trips: the 19 columns, names, types and value ranges of the
// real files (and of the reference generator in shared/anchors/gen_taxi.py), for demos, tests
// and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/table/table.hpp"

namespace tessera::datasets {

/// The 19 column names in file order.
const std::vector<std::string>& TaxiColumns();

/// One month of trips (month 1..12 of 2015), `rows` rows, pickups roughly in time order.
/// The same seed gives the same table.
TablePtr TaxiMonth(int month, int64_t rows, uint64_t seed);

/// Writes `files` CSVs (yellow_tripdata_2015-01.csv, ...; month = (file - 1) % 12 + 1) of
/// `rows` rows each into `directory`, in parallel, and returns their paths.
std::vector<std::string> WriteTaxiFiles(const std::string& directory, int files, int64_t rows,
                                        uint64_t seed = 2015, int threads = 0);

}  // namespace tessera::datasets
