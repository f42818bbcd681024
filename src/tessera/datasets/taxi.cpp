#include "tessera/datasets/taxi.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/parallel.hpp"
#include "tessera/io/csv/csv_writer.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::datasets {

const std::vector<std::string>& TaxiColumns() {
  static const std::vector<std::string> kColumns = {
      "VendorID", "tpep_pickup_datetime", "tpep_dropoff_datetime", "passenger_count",
      "trip_distance", "pickup_longitude", "pickup_latitude", "RateCodeID",
      "store_and_fwd_flag", "dropoff_longitude", "dropoff_latitude", "payment_type",
      "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
      "improvement_surcharge", "total_amount"};
  return kColumns;
}

namespace {

constexpr int64_t kChunkRows = 1 << 16;

// numpy.round(x, decimals): round half to even at the given decimal.
double RoundTo(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::nearbyint(value * scale) / scale;
}

// Draws from a small discrete distribution (numpy's choice with p=...).
template <typename T>
class Choice {
 public:
  Choice(std::vector<T> values, const std::vector<double>& weights)
      : values_(std::move(values)), pick_(weights.begin(), weights.end()) {}
  T operator()(std::mt19937_64& rng) { return values_[size_t(pick_(rng))]; }

 private:
  std::vector<T> values_;
  std::discrete_distribution<int> pick_;
};

// Generates one month in chunks, so a file can be written without holding the whole month.
class TaxiGenerator {
 public:
  TaxiGenerator(int month, int64_t rows, uint64_t seed) : rng_(seed * 1000003 + uint64_t(month)) {
    if (month < 1 || month > 12) throw InvalidArgument("month must be 1..12, got " + std::to_string(month));
    if (rows < 0) throw InvalidArgument("rows must be >= 0");
    start_ns_ = civil::DaysFromCivil(2015, unsigned(month), 1) * civil::kNanosPerDay;
    const int64_t span = int64_t(civil::DaysInMonth(2015, unsigned(month))) * 86400;
    // Pickup seconds: sorted uniform draws, then jittered by up to two minutes so the file is
    // only roughly in time order, as the real files are.
    seconds_.resize(static_cast<size_t>(rows));
    std::uniform_int_distribution<int64_t> any_second(0, span - 1), jitter(-120, 119);
    for (auto& s : seconds_) s = any_second(rng_);
    std::sort(seconds_.begin(), seconds_.end());
    for (auto& s : seconds_) s = std::clamp<int64_t>(s + jitter(rng_), 0, span - 1);
  }

  bool done() const { return next_ == int64_t(seconds_.size()); }

  /// The next up to `max_rows` rows.
  TablePtr Next(int64_t max_rows) {
    const int64_t rows = std::min<int64_t>(max_rows, int64_t(seconds_.size()) - next_);
    FixedWidthBuilder<int64_t> vendor_id(types::Int64(), rows), pickup(types::Timestamp(TimeUnit::kMicro), rows),
        dropoff(types::Timestamp(TimeUnit::kMicro), rows), passenger_count(types::Int64(), rows),
        rate_code_id(types::Int64(), rows), payment_type(types::Int64(), rows);
    FixedWidthBuilder<double> trip_distance(types::Float64(), rows), pickup_longitude(types::Float64(), rows),
        pickup_latitude(types::Float64(), rows), dropoff_longitude(types::Float64(), rows),
        dropoff_latitude(types::Float64(), rows), fare_amount(types::Float64(), rows),
        extra(types::Float64(), rows), mta_tax(types::Float64(), rows), tip_amount(types::Float64(), rows),
        tolls_amount(types::Float64(), rows), improvement_surcharge(types::Float64(), rows),
        total_amount(types::Float64(), rows);
    StringBuilder store_and_fwd_flag(rows, rows);
    constexpr double kLongitude = -73.98, kLatitude = 40.75;
    auto& rng = rng_;
    for (int64_t i = 0; i < rows; ++i) {
      const double dist = RoundTo(distance_(rng), 2);
      const int64_t duration = int64_t(dist * speed_(rng) + double(idle_(rng)));
      const int64_t picked_up = start_ns_ + seconds_[size_t(next_ + i)] * civil::kNanosPerSecond;
      const double fare = RoundTo(2.5 + dist * 2.5 + double(duration) / 60 * 0.5, 1);
      const int64_t pay = payment_(rng);
      const double tip = pay == 1 ? RoundTo(fare * tip_share_(rng), 2) : 0.0;
      const double tolls = unit_(rng) < 0.05 ? 5.54 : 0.0;
      const double charge = extra_charge_(rng);
      const bool no_gps = unit_(rng) < 0.02;
      const double pickup_lon = no_gps ? 0.0 : kLongitude + pickup_spread_(rng);
      const double pickup_lat = no_gps ? 0.0 : kLatitude + pickup_spread_(rng);

      vendor_id.UnsafeAppend(vendor_(rng));
      // Microseconds, the unit read_csv gives the files' dates (as pandas 3 does).
      pickup.UnsafeAppend(picked_up / 1000);
      dropoff.UnsafeAppend((picked_up + duration * civil::kNanosPerSecond) / 1000);
      passenger_count.UnsafeAppend(passengers_(rng));
      trip_distance.UnsafeAppend(dist);
      pickup_longitude.UnsafeAppend(pickup_lon);
      pickup_latitude.UnsafeAppend(pickup_lat);
      rate_code_id.UnsafeAppend(rate_code_(rng));
      store_and_fwd_flag.UnsafeAppend(flag_(rng));
      dropoff_longitude.UnsafeAppend(no_gps ? 0.0 : kLongitude + dropoff_spread_(rng));
      dropoff_latitude.UnsafeAppend(no_gps ? 0.0 : kLatitude + dropoff_spread_(rng));
      payment_type.UnsafeAppend(pay);
      fare_amount.UnsafeAppend(fare);
      extra.UnsafeAppend(charge);
      mta_tax.UnsafeAppend(0.5);
      tip_amount.UnsafeAppend(tip);
      tolls_amount.UnsafeAppend(tolls);
      improvement_surcharge.UnsafeAppend(0.3);
      total_amount.UnsafeAppend(RoundTo(fare + charge + 0.5 + tip + tolls + 0.3, 2));
    }
    next_ += rows;
    return Table::Make(TaxiColumns(),
                       {vendor_id.Finish(), pickup.Finish(), dropoff.Finish(), passenger_count.Finish(),
                        trip_distance.Finish(), pickup_longitude.Finish(), pickup_latitude.Finish(),
                        rate_code_id.Finish(), store_and_fwd_flag.Finish(), dropoff_longitude.Finish(),
                        dropoff_latitude.Finish(), payment_type.Finish(), fare_amount.Finish(),
                        extra.Finish(), mta_tax.Finish(), tip_amount.Finish(), tolls_amount.Finish(),
                        improvement_surcharge.Finish(), total_amount.Finish()});
  }

 private:
  std::mt19937_64 rng_;
  int64_t start_ns_ = 0;
  std::vector<int64_t> seconds_;
  int64_t next_ = 0;
  std::gamma_distribution<double> distance_{1.3, 2.2};
  std::uniform_real_distribution<double> speed_{150, 420}, tip_share_{0.0, 0.3}, unit_{0.0, 1.0};
  std::uniform_int_distribution<int64_t> idle_{30, 299};
  std::normal_distribution<double> pickup_spread_{0, 0.03}, dropoff_spread_{0, 0.04};
  Choice<int64_t> vendor_{{1, 2}, {0.5, 0.5}};
  Choice<int64_t> passengers_{{0, 1, 2, 3, 4, 5, 6}, {0.001, 0.70, 0.14, 0.04, 0.02, 0.06, 0.039}};
  Choice<int64_t> rate_code_{{1, 2, 3, 4, 5, 99}, {0.97, 0.02, 0.004, 0.002, 0.0039, 0.0001}};
  Choice<int64_t> payment_{{1, 2, 3, 4}, {0.62, 0.37, 0.007, 0.003}};
  Choice<double> extra_charge_{{0.0, 0.5, 1.0}, {0.5, 0.3, 0.2}};
  Choice<const char*> flag_{{"N", "Y"}, {0.99, 0.01}};
};

}  // namespace

TablePtr TaxiMonth(int month, int64_t rows, uint64_t seed) {
  return TaxiGenerator(month, rows, seed).Next(rows);
}

std::vector<std::string> WriteTaxiFiles(const std::string& directory, int files, int64_t rows,
                                        uint64_t seed, int threads) {
  if (files < 1) throw InvalidArgument("files must be >= 1, got " + std::to_string(files));
  std::vector<std::string> paths(static_cast<size_t>(files));
  for (int f = 1; f <= files; ++f) {
    char name[64];
    std::snprintf(name, sizeof name, "/yellow_tripdata_2015-%02d.csv", f);
    paths[size_t(f - 1)] = directory + name;
  }
  io::CsvWriteOptions options;
  options.index = false;
  ParallelFor(size_t(files), [&](size_t f) {
    TaxiGenerator generator(int(f % 12) + 1, rows, seed + f);
    io::CsvWriter writer(paths[f], options);
    bool first = true;
    do {
      const auto chunk = generator.Next(kChunkRows);
      if (first) writer.WriteHeader(*chunk);
      first = false;
      writer.WriteRows(*chunk);
    } while (!generator.done());
    writer.Close();
  }, threads);
  return paths;
}

}  // namespace tessera::datasets
