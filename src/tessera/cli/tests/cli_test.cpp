// The `tessera` program as a user runs it: bad option values are usage errors naming the option,
// and `bench csv` reports the peak memory of its own process, not of the one that started it.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the program with `arguments` in a child process (fork + exec, as a launcher would),
// optionally after the child has touched `ballast_bytes` of memory, which the exec discards.
Outcome RunTessera(const std::vector<std::string>& arguments, size_t ballast_bytes = 0) {
  char output_path[] = "/tmp/tessera-cli-test-XXXXXX";
  const int output_fd = mkstemp(output_path);
  if (output_fd < 0) return {};
  const pid_t child = fork();
  if (child == 0) {
    if (ballast_bytes > 0) {
      void* ballast = mmap(nullptr, ballast_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (ballast == MAP_FAILED) _exit(120);
      std::memset(ballast, 1, ballast_bytes);
    }
    dup2(output_fd, 1);
    dup2(output_fd, 2);
    std::vector<char*> argv{const_cast<char*>(TESSERA_PROGRAM)};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execv(TESSERA_PROGRAM, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  close(output_fd);
  Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream file(output_path);
  outcome.output.assign(std::istreambuf_iterator<char>(file), {});
  std::filesystem::remove(output_path);
  return outcome;
}

std::string WriteSmallCsv() {
  const auto path = std::filesystem::temp_directory_path() / ("tessera-cli-test-" + std::to_string(getpid()) + ".csv");
  std::ofstream file(path);
  file << "a,b\n";
  for (int i = 0; i < 1000; ++i) file << i << "," << i * 0.5 << "\n";
  return path.string();
}

TEST(CliTest, NegativeThreadsIsAUsageError) {
  const std::string csv = WriteSmallCsv();
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"bench", "csv", csv, "--threads", "-3"},
           {"bench", "csv", csv, "--threads=-3"},
           {"bench", "csv", csv, "--threads", "many"},
           {"bench", "overhead", "10", "--threads=-1"},
           {"datasets", "taxi", "/tmp/unused", "--threads=-2"}}) {
    const Outcome outcome = RunTessera(arguments);
    EXPECT_NE(outcome.exit_code, 0) << outcome.output;
    EXPECT_NE(outcome.output.find("--threads"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find("0 (every core) or a positive number of threads"), std::string::npos)
        << outcome.output;
  }
  std::filesystem::remove(csv);
}

TEST(CliTest, InvalidCountsAndPortsAreUsageErrors) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"datasets", "taxi", "/tmp/unused", "--files=0"}, "--files"},
      {{"datasets", "taxi", "/tmp/unused", "--rows=-5"}, "--rows"},
      {{"demo", "--files=-1"}, "--files"},
      {{"demo", "--dashboard-port=70000"}, "--dashboard-port"},
      {{"bench", "overhead", "0"}, "leaves"},
  };
  for (const auto& [arguments, option] : cases) {
    const Outcome outcome = RunTessera(arguments);
    EXPECT_NE(outcome.exit_code, 0) << outcome.output;
    EXPECT_NE(outcome.output.find(option), std::string::npos) << outcome.output;
  }
}

TEST(CliTest, SizesAreReadLikeDaskAndBadOnesNameTheOption) {
  const std::string csv = WriteSmallCsv();
  const Outcome lots = RunTessera({"bench", "csv", csv, "--blocksize", "lots"});
  EXPECT_NE(lots.exit_code, 0);
  EXPECT_NE(lots.output.find("blocksize='lots' is not a valid size"), std::string::npos) << lots.output;
  EXPECT_NE(lots.output.find("\"300 MiB\""), std::string::npos) << lots.output;
  const Outcome memory = RunTessera({"demo", "--memory-limit", "-1GB"});
  EXPECT_NE(memory.exit_code, 0);
  EXPECT_NE(memory.output.find("memory-limit='-1GB'"), std::string::npos) << memory.output;
  // 1 kB blocks split the 10 kB file into about ten partitions.
  const Outcome small_blocks = RunTessera({"bench", "csv", csv, "--blocksize", "1 kB", "--threads", "1"});
  ASSERT_EQ(small_blocks.exit_code, 0) << small_blocks.output;
  EXPECT_NE(small_blocks.output.find("1000 rows"), std::string::npos) << small_blocks.output;
  const auto partitions = small_blocks.output.find(" partitions");
  ASSERT_NE(partitions, std::string::npos);
  const auto count_start = small_blocks.output.rfind(' ', partitions - 1) + 1;
  EXPECT_GE(std::stoi(small_blocks.output.substr(count_start, partitions - count_start)), 9) << small_blocks.output;
  std::filesystem::remove(csv);
}

TEST(CliTest, BenchPeakMemoryCountsOnlyItsOwnProcess) {
  const std::string csv = WriteSmallCsv();
  // The launcher touches 600 MB before exec; reading 10 kB of CSV needs a few tens of MB.
  const size_t ballast = size_t(600) << 20;
  const Outcome outcome = RunTessera({"bench", "csv", csv, "--threads", "1"}, ballast);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const auto key = outcome.output.find("\"peak_rss_bytes\": ");
  ASSERT_NE(key, std::string::npos) << outcome.output;
  const int64_t peak = std::stoll(outcome.output.substr(key + std::strlen("\"peak_rss_bytes\": ")));
  EXPECT_GT(peak, int64_t(1) << 20);
  EXPECT_LT(peak, int64_t(200) << 20) << "peak_rss_bytes includes the launching process";
  std::filesystem::remove(csv);
}

}  // namespace
