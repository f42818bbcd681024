#include "tessera/datasets/taxi.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tessera/base/civil_time.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/tests/temp_directory.hpp"

namespace tessera::datasets {

TEST(TaxiTest, ColumnsTypesAndValueRangesOfTheRealFiles) {
  auto table = TaxiMonth(2, 20000, 7);
  ASSERT_EQ(table->column_names(), TaxiColumns());
  ASSERT_EQ(table->num_rows(), 20000);
  // Microseconds, as read_csv (and pandas 3) reads the files' dates.
  ASSERT_EQ(table->column("tpep_pickup_datetime")->type(), types::Timestamp(TimeUnit::kMicro));
  constexpr int64_t kMicrosPerSecond = 1'000'000;
  const int64_t february = civil::DaysFromCivil(2015, 2, 1) * 86400 * kMicrosPerSecond;
  const int64_t march = civil::DaysFromCivil(2015, 3, 1) * 86400 * kMicrosPerSecond;
  const auto* pickup = table->column("tpep_pickup_datetime")->values<int64_t>();
  const auto* dropoff = table->column("tpep_dropoff_datetime")->values<int64_t>();
  std::set<int64_t> payment_types, passengers;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    ASSERT_GE(pickup[i], february);
    ASSERT_LT(pickup[i], march);
    ASSERT_GT(dropoff[i], pickup[i]);
    if (i > 0) {
      ASSERT_GT(pickup[i], pickup[i - 1] - 240 * kMicrosPerSecond);  // roughly sorted
    }
    payment_types.insert(table->column("payment_type")->values<int64_t>()[i]);
    passengers.insert(table->column("passenger_count")->values<int64_t>()[i]);
    const double fare = table->column("fare_amount")->values<double>()[i];
    const double tip = table->column("tip_amount")->values<double>()[i];
    ASSERT_GE(fare, 2.5);
    ASSERT_LE(tip, fare * 0.3 + 0.01);
    if (table->column("payment_type")->values<int64_t>()[i] != 1) {
      ASSERT_EQ(tip, 0.0);
    }
    const auto flag = table->column("store_and_fwd_flag")->GetString(i);
    ASSERT_TRUE(flag == "N" || flag == "Y");
  }
  EXPECT_EQ(payment_types, (std::set<int64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(passengers.count(1) && passengers.count(6));
  EXPECT_TRUE(TaxiMonth(2, 100, 7)->Equals(*TaxiMonth(2, 100, 7)));
  EXPECT_FALSE(TaxiMonth(2, 100, 7)->Equals(*TaxiMonth(2, 100, 8)));
  EXPECT_THROW(TaxiMonth(13, 1, 0), InvalidArgument);
}

TEST(TaxiTest, FilesReadBackIdentically) {
  io::TempDirectory dir;
  auto paths = WriteTaxiFiles(dir.path(), 2, 3000, 11);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[1], dir.path() + "/yellow_tripdata_2015-02.csv");
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = 50000;
  auto table = io::ReadCsvTable({dir.path() + "/*.csv"}, options);
  auto expected = ConcatenateTables({TaxiMonth(1, 3000, 11), TaxiMonth(2, 3000, 12)});
  EXPECT_TRUE(table->Equals(*expected));
}

}  // namespace tessera::datasets
