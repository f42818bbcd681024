#include "tessera/datasets/timeseries.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"

namespace tessera::datasets {

TEST(TimeseriesTest, DaskSchemaAndDailyDivisions) {
  TimeseriesOptions options;
  options.end = "2000-01-04";
  auto data = Timeseries(options);
  ASSERT_EQ(data.partitions.size(), 3u);
  ASSERT_EQ(data.divisions.size(), 4u);
  EXPECT_EQ(data.divisions[0], civil::DaysFromCivil(2000, 1, 1) * civil::kNanosPerDay);
  EXPECT_EQ(data.divisions[3], civil::DaysFromCivil(2000, 1, 4) * civil::kNanosPerDay);
  double id_sum = 0;
  int64_t rows = 0;
  std::set<std::string> names;
  for (size_t p = 0; p < 3; ++p) {
    const auto& part = data.partitions[p];
    ASSERT_EQ(part->num_rows(), 86400);
    EXPECT_EQ(part->index_name(), "timestamp");
    EXPECT_EQ(part->column_names(), (std::vector<std::string>{"name", "id", "x", "y"}));
    const auto* index = part->index()->values<int64_t>();
    EXPECT_EQ(part->index()->type(), types::Timestamp(TimeUnit::kMicro));  // as pandas 3's date_range
    EXPECT_EQ(index[0], data.divisions[p] / 1000);
    EXPECT_EQ(index[86399], (data.divisions[p + 1] - civil::kNanosPerSecond) / 1000);
    for (int64_t i = 0; i < part->num_rows(); ++i) {
      const double x = part->column("x")->values<double>()[i];
      ASSERT_GE(x, -1.0);
      ASSERT_LE(x, 1.0);
      id_sum += double(part->column("id")->values<int64_t>()[i]);
      names.insert(std::string(part->column("name")->GetString(i)));
    }
    rows += part->num_rows();
  }
  EXPECT_NEAR(id_sum / double(rows), 1000.0, 1.0);  // Poisson(1000)
  EXPECT_EQ(names.size(), 26u);
}

TEST(TimeseriesTest, FrequenciesAndErrors) {
  EXPECT_EQ(ParseFixedFrequency("1s"), civil::kNanosPerSecond);
  EXPECT_EQ(ParseFixedFrequency("15min"), 15 * civil::kNanosPerMinute);
  EXPECT_EQ(ParseFixedFrequency("h"), civil::kNanosPerHour);
  EXPECT_EQ(ParseFixedFrequency("100ms"), 100000000);
  EXPECT_THROW(ParseFixedFrequency("1M"), InvalidArgument);
  TimeseriesOptions options;
  options.end = "1999-01-01";
  EXPECT_THROW(Timeseries(options), InvalidArgument);
  options.end = "2000-01-01 12:00:00";
  options.freq = "1h";
  auto data = Timeseries(options);
  ASSERT_EQ(data.partitions.size(), 1u);
  EXPECT_EQ(data.partitions[0]->num_rows(), 12);
}

}  // namespace tessera::datasets
