// The NYC-taxi lesson of the "Scale PyData with Dask" tutorial, written against tessera's C++
// API. usage: taxi_lesson 'data/taxi/*.csv'  (make one with: tessera datasets taxi data/taxi)
#include <iostream>

#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"

int main(int argc, char** argv) {
  using namespace tessera;
  if (argc != 2) {
    std::cerr << "usage: taxi_lesson 'data/taxi/*.csv'\n";
    return 2;
  }
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};

  // Read lazily, then keep the parsed partitions in memory.
  dataframe::DataFrame df = dataframe::read_csv(argv[1], options).persist();
  std::cout << df.ToString() << "\n" << df.head()->ToString() << "\n";

  // Lazy computations run on compute().
  std::cout << "rows: " << df.len() << "\n";
  std::cout << "passengers: " << df["passenger_count"].sum().compute().ToString() << "\n";
  std::cout << df.groupby(df["passenger_count"])["tip_amount"].mean().compute()->ToString(20) << "\n";
  const auto tip_fraction = (df["tip_amount"] / df["fare_amount"])[df["fare_amount"] > 0];
  std::cout << "tip fraction: " << tip_fraction.mean().compute().ToString() << "\n";
  std::cout << tip_fraction.mean().explain() << "\n";
  std::cout << df["payment_type"].value_counts().compute()->ToString() << "\n";

  // Sort by pickup time: known divisions make time lookups read only the partitions they need.
  const dataframe::DataFrame by_time = df.set_index("tpep_pickup_datetime").persist();
  std::cout << "known divisions: " << (by_time.known_divisions() ? "yes" : "no") << "\n";
  std::cout << "trips on 2015-01-05: " << by_time.loc("2015-01-05").len() << "\n";
  std::cout << by_time["passenger_count"].resample("1h").mean().compute()->ToString(10) << "\n";
  std::cout << by_time["trip_distance"].rolling("24h").mean().to_frame().tail()->ToString() << "\n";
  return 0;
}
