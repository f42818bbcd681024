#include "tessera/io/file_system.hpp"

#include <gtest/gtest.h>

#include "tessera/base/error.hpp"
#include "tessera/io/tests/temp_directory.hpp"

namespace tessera::io {

TEST(FileSystemTest, ExpandsGlobsSortedAndChecksPaths) {
  TempDirectory dir;
  dir.Write("b.csv", "x");
  dir.Write("a.csv", "x");
  dir.Write("c.txt", "x");
  auto files = ExpandPaths({dir.Path("*.csv")});
  EXPECT_EQ(files, (std::vector<std::string>{dir.Path("a.csv"), dir.Path("b.csv")}));
  EXPECT_THROW(ExpandPaths({dir.Path("missing.csv")}), IOError);
  EXPECT_THROW(ExpandPaths({}), InvalidArgument);
}

TEST(FileSystemTest, ReadsRangesAndDetectsCompression) {
  TempDirectory dir;
  auto file = OpenLocalFile(dir.Write("f.bin", "0123456789"));
  uint8_t bytes[8] = {};
  EXPECT_EQ(file->ReadAt(7, 8, bytes), 3);
  EXPECT_EQ(bytes[0], '7');
  EXPECT_EQ(CompressionFromPath("a.csv.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionFromPath("a.csv.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionFromPath("a.csv"), Compression::kNone);
  EXPECT_THROW(ParseCompression("bz2", "a"), InvalidArgument);
}

}  // namespace tessera::io
