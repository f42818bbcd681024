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

namespace tessera::io {

TEST(FileSystemTest, FileUrlsAndOutputStreams) {
  TempDirectory dir;
  auto output = OpenOutput("file://" + dir.Path("sub/out.csv"));
  output->Write("a,b\n", 4);
  output->Write("1,2\n", 4);
  output->Close();
  const auto files = ExpandPaths({"file://" + dir.Path("sub/*.csv")});
  ASSERT_EQ(files, std::vector<std::string>{dir.Path("sub/out.csv")});
  auto input = OpenInput("file://" + files[0], Compression::kNone);
  std::string bytes(size_t(input->size()), '\0');
  input->ReadAt(0, input->size(), reinterpret_cast<uint8_t*>(bytes.data()));
  EXPECT_EQ(bytes, "a,b\n1,2\n");
  EXPECT_THROW(OpenOutput("http://127.0.0.1:1/out.csv"), InvalidArgument);
  EXPECT_THROW(OpenInput("ftp://host/a.csv", Compression::kNone), InvalidArgument);
  EXPECT_THROW(ExpandPaths({"s3:///a.csv"}), InvalidArgument);
}

}  // namespace tessera::io
