#include "tessera/base/byte_size.hpp"

#include <gtest/gtest.h>

#include "tessera/base/error.hpp"

namespace tessera {
namespace {

// The expected values are those dask.utils.parse_bytes gives for the same text.
TEST(ByteSizeTest, ReadsDaskSpellings) {
  const std::pair<const char*, int64_t> cases[] = {
      {"100", 100},           {"100 MB", 100'000'000}, {"100M", 100'000'000}, {"5kB", 5000},
      {"5.4 kB", 5400},       {"1kiB", 1024},          {"1e6", 1'000'000},    {"1e6 kB", 1'000'000'000},
      {"MB", 1'000'000},      {"300MiB", 300 << 20},   {"300 mib", 300 << 20}, {"1TB", 1'000'000'000'000},
      {"2 GiB", int64_t(2) << 30}, {"1 PiB", int64_t(1) << 50}, {"7 B", 7}, {" 12 ", 12}, {"0", 0},
      {"1.5 Ki", 1536},       {"3g", 3'000'000'000},
  };
  for (const auto& [text, bytes] : cases) EXPECT_EQ(ParseByteSize(text, "blocksize"), bytes) << text;
}

TEST(ByteSizeTest, SharesOfMemoryOnlyWhereAllowed) {
  const ByteSizeRules memory{int64_t(16) << 30};
  EXPECT_EQ(ParseByteSize("80%", "memory_limit", memory), int64_t(double(int64_t(16) << 30) * 0.8));
  EXPECT_EQ(ParseByteSize("100 %", "memory_limit", memory), int64_t(16) << 30);
  EXPECT_EQ(ByteSizeFromNumber(0.5, "memory_limit", memory), int64_t(8) << 30);  // Dask: fraction of RAM
  EXPECT_EQ(ParseByteSize("0.25", "memory_limit", memory), int64_t(4) << 30);
  EXPECT_EQ(ByteSizeFromNumber(3e8, "memory_limit", memory), 300'000'000);
  EXPECT_EQ(ParseByteSize("300MB", "memory_limit", memory), 300'000'000);
  EXPECT_EQ(ByteSizeFromNumber(0, "memory_limit", memory), 0);
  EXPECT_THROW(ParseByteSize("80%", "blocksize"), InvalidArgument);
  EXPECT_THROW(ParseByteSize("150%", "memory_limit", memory), InvalidArgument);
  EXPECT_THROW(ParseByteSize("0%", "memory_limit", memory), InvalidArgument);
  EXPECT_THROW(ParseByteSize("x%", "memory_limit", memory), InvalidArgument);
}

TEST(ByteSizeTest, RejectsWithTheArgumentAndTheAcceptedForms) {
  for (const char* text : {"lots", "abc", "", "   ", "-5kB", "-1", "5 foos", "1..5MB", "0.5", "1.5", "MBMB",
                           "1e30 PB", "nan", "inf", "%"}) {
    try {
      ParseByteSize(text, "blocksize");
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const InvalidArgument& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("blocksize="), std::string::npos) << message;
      EXPECT_NE(message.find("\"300 MiB\""), std::string::npos) << message;
    }
  }
  for (double number : {-1.0, 0.5, 1.5, 1e300}) {
    EXPECT_THROW(ByteSizeFromNumber(number, "partition_size"), InvalidArgument) << number;
  }
  try {
    ParseByteSize("abc", "memory_limit", ByteSizeRules{int64_t(1) << 30});
    ADD_FAILURE();
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("\"80%\""), std::string::npos) << error.what();
  }
  EXPECT_THROW(ByteSizeFromNumber(-0.5, "memory_limit", ByteSizeRules{int64_t(1) << 30}), InvalidArgument);
}

}  // namespace
}  // namespace tessera
