// The profile of the taxi lesson, as the dashboard shows it: the engine's own functions (CSV
// blocks, the tokenizer, the sort kernels) are named with file and line, static and inlined ones
// included, and no address is left bare among the frames that hold the most samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/datasets/taxi.hpp"
#include "tessera/diagnostics/sampling_profiler.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera {
namespace {

using nlohmann::json;

// Samples per frame name over the whole tree (a frame's own samples and its callees').
void CountFrames(const json& node, std::map<std::string, int64_t>* samples) {
  for (const json& child : node["children"]) {
    (*samples)[child["name"].get<std::string>()] += child["value"].get<int64_t>();
    CountFrames(child, samples);
  }
}

TEST(ProfileLessonTest, NamesTheReaderTheTokenizerAndTheSortKernels) {
  const auto directory = std::filesystem::temp_directory_path() / "tessera-profile-lesson";
  std::filesystem::remove_all(directory);
  datasets::WriteTaxiFiles(directory.string(), 2, 150000);

  sched::LocalScheduler scheduler({2, {}});
  diagnostics::SamplingProfiler profiler(1000);
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = int64_t(4) << 20;
  // the lesson's steps: read and persist, aggregates, sort by pickup time
  dataframe::DataFrame df = dataframe::read_csv((directory / "*.csv").string(), options).persist(scheduler);
  EXPECT_EQ(df.len(scheduler), 300000);
  EXPECT_GT(df.groupby(df["passenger_count"])["tip_amount"].mean().compute(scheduler)->num_rows(), 0);
  dataframe::DataFrame by_time = df.set_index("tpep_pickup_datetime", {}, scheduler).persist(scheduler);
  EXPECT_TRUE(by_time.known_divisions());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the sampler drains its ring
  std::filesystem::remove_all(directory);

  const json flame = json::parse(profiler.FlameJson(0, "", 0, -1));
  ASSERT_GT(flame["samples"].get<int64_t>(), 50);
  std::map<std::string, int64_t> samples;
  CountFrames(flame["root"], &samples);
  std::vector<std::pair<int64_t, std::string>> top;
  for (const auto& [name, count] : samples) top.emplace_back(count, name);
  std::sort(top.rbegin(), top.rend());
  std::string listing;  // for failure messages
  for (const auto& [count, name] : top) listing += std::to_string(count) + " " + name + "\n";
  auto named = [&](const std::string& pattern) {
    const std::regex re(pattern);
    return std::any_of(samples.begin(), samples.end(), [&](const auto& entry) { return std::regex_search(entry.first, re); });
  };
  EXPECT_TRUE(named(R"(^tessera::io::ReadCsvBlock \(csv_reader\.cpp:\d+\)$)")) << listing;
  EXPECT_TRUE(named(R"(^tessera::io::csv::Tokenizer::Tokenize \(tokenizer\.cpp:\d+\)$)")) << listing;
  EXPECT_TRUE(named(R"(^tessera::compute::.*Sort.* \(sort\.cpp:\d+\)$)")) << listing;

  top.resize(std::min<size_t>(top.size(), 20));
  for (const auto& [count, name] : top) {
    EXPECT_FALSE(std::regex_search(name, std::regex("^0x[0-9a-f]+$"))) << "bare address among the top frames";
    // the engine's frames come with their source position
    if (name.starts_with("tessera::")) {
      EXPECT_TRUE(std::regex_search(name, std::regex(R"( \(\w+\.(cpp|hpp):\d+\)$)"))) << name;
    }
  }
}

}  // namespace
}  // namespace tessera
