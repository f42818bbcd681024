// CSV files at the edges: headers of any width, quoted fields larger than the sample windows,
// a long last row without a final line break, globs of thousands of files under a low limit of
// open files, and dtype=bool as pandas reads it. Expected values come from the generators.
#include <dirent.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/tests/temp_directory.hpp"

namespace tessera::io {

namespace {

int OpenDescriptors() {
  int count = 0;
  DIR* directory = opendir("/proc/self/fd");
  while (readdir(directory) != nullptr) ++count;
  closedir(directory);
  return count - 2;  // "." and ".."
}

// Rows "id,value,note,score" with id i, value 3i, score i/2; row `big_row` (if any) holds `note`.
struct Generated {
  std::string text;
  int64_t rows = 0;
};

Generated NumberRows(int64_t rows, int64_t big_row, const std::string& note, bool final_newline = true) {
  Generated out;
  out.text = "id,value,note,score\n";
  for (int64_t i = 0; i < rows; ++i) {
    out.text += std::to_string(i) + "," + std::to_string(3 * i) + "," + (i == big_row ? note : "short") + "," +
                std::to_string(i / 2) + (i % 2 ? ".5" : ".0");
    if (i + 1 < rows || final_newline) out.text += "\n";
  }
  out.rows = rows;
  return out;
}

void ExpectNumberRows(const TablePtr& table, int64_t rows, int64_t big_row, const std::string& note_text) {
  ASSERT_EQ(table->num_rows(), rows);
  ASSERT_EQ(table->schema().field(0).type, types::Int64());
  ASSERT_EQ(table->schema().field(1).type, types::Int64());
  ASSERT_EQ(table->schema().field(2).type, types::String());
  ASSERT_EQ(table->schema().field(3).type, types::Float64());
  for (int64_t i = 0; i < rows; ++i) {
    ASSERT_EQ(table->column(0)->values<int64_t>()[i], i);
    ASSERT_EQ(table->column(1)->values<int64_t>()[i], 3 * i);
    ASSERT_EQ(table->column(3)->values<double>()[i], double(i) / 2);
  }
  if (big_row >= 0) {
    EXPECT_EQ(table->column(2)->GetString(big_row), note_text);
  }
}

// A quoted note of `lines` lines; `line` makes each line (without quotes).
template <typename Line>
std::pair<std::string, std::string> QuotedNote(int64_t lines, Line&& line) {
  std::string text;
  for (int64_t j = 0; j < lines; ++j) text += line(j) + (j + 1 < lines ? "\n" : "");
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return {quoted + "\"", text};
}

}  // namespace

TEST(CsvEdgeTest, HeaderOfOneHundredThousandColumns) {
  TempDirectory dir;
  constexpr int kColumns = 100'000;
  std::string text;
  for (int c = 0; c < kColumns; ++c) text += (c ? ",c" : "c") + std::to_string(c);
  text += "\n";
  for (int row = 0; row < 3; ++row) {
    for (int c = 0; c < kColumns; ++c) text += (c ? "," : "") + std::to_string(row * kColumns + c);
    text += "\n";
  }
  const auto table = ReadCsvTable({dir.Write("wide.csv", text)});
  ASSERT_EQ(table->num_columns(), kColumns);
  ASSERT_EQ(table->num_rows(), 3);
  for (int c : {0, 1, 16'383, 16'384, 65'536, kColumns - 1}) {
    EXPECT_EQ(table->schema().field(c).name, "c" + std::to_string(c));
    ASSERT_EQ(table->schema().field(c).type, types::Int64());
    for (int row = 0; row < 3; ++row) EXPECT_EQ(table->column(c)->values<int64_t>()[row], row * kColumns + c);
  }
}

TEST(CsvEdgeTest, FirstLineOfTenMegabytes) {
  TempDirectory dir;
  // 1,000 column names of 10,000 characters each, then two rows.
  std::vector<std::string> names;
  std::string text;
  for (int c = 0; c < 1000; ++c) {
    names.push_back(std::string(9'995, char('a' + c % 26)) + std::to_string(10'000 + c));
    text += (c ? "," : "") + names.back();
  }
  ASSERT_GE(text.size(), size_t(10'000'000));
  text += "\n";
  for (int row = 0; row < 2; ++row) {
    for (int c = 0; c < 1000; ++c) text += (c ? "," : "") + std::to_string(row + c * 0.25);
    text += "\n";
  }
  const auto table = ReadCsvTable({dir.Write("long_header.csv", text)});
  ASSERT_EQ(table->num_columns(), 1000);
  ASSERT_EQ(table->num_rows(), 2);
  for (int c : {0, 1, 500, 999}) {
    EXPECT_EQ(table->schema().field(c).name, names[size_t(c)]);
    EXPECT_EQ(table->column(c)->values<double>()[1], 1 + c * 0.25);
  }
  // A header-only file of the same width reads too, with no rows.
  const auto empty = ReadCsvTable({dir.Write("header_only.csv", text.substr(0, text.find('\n') + 1))});
  EXPECT_EQ(empty->num_columns(), 1000);
  EXPECT_EQ(empty->num_rows(), 0);
}

TEST(CsvEdgeTest, MegabytesOfQuotedLinesMidFileKeepNumberTypes) {
  TempDirectory dir;
  // Prose with commas and quotes; and lines shaped like the file's own rows, which only the
  // closing quote tells apart (pandas reads both as one text field).
  const auto prose = QuotedNote(150'000, [](int64_t j) {
    return "line " + std::to_string(j) + " of a \"long\" note, with a comma";
  });
  const auto rowlike = QuotedNote(150'000, [](int64_t j) { return "a" + std::to_string(j) + ",b,c,d"; });
  for (const auto* note : {&prose, &rowlike}) {
    const Generated file = NumberRows(40'000, 20'000, note->first);
    ASSERT_GT(file.text.size(), size_t(2) << 20);
    const auto path = dir.Write("mid.csv", file.text);
    ExpectNumberRows(ReadCsvTable({path}), file.rows, 20'000, note->second);
    // Wherever the sample windows fall, the types stay those of the whole file.
    for (int64_t sample : {4 << 10, 64 << 10, 256 << 10, 1 << 20}) {
      CsvReadOptions options;
      options.sample_bytes = sample;
      options.blocksize = int64_t(512) << 10;
      SCOPED_TRACE("sample_bytes " + std::to_string(sample));
      ExpectNumberRows(ReadCsvTable({path}, options), file.rows, 20'000, note->second);
      EXPECT_EQ(PlanCsv({path}, options).types,
                (std::vector<DataType>{types::Int64(), types::Int64(), types::String(), types::Float64()}));
    }
  }
}

TEST(CsvEdgeTest, LastRowLongerThanTheSamplesWithoutFinalNewline) {
  TempDirectory dir;
  const auto long_text = QuotedNote(1, [](int64_t) { return std::string(600'000, 'x'); });
  const auto long_lines = QuotedNote(200'000, [](int64_t j) { return "y" + std::to_string(j % 10); });
  for (const auto* note : {&long_text, &long_lines}) {
    for (int64_t rows : {1, 100}) {
      const Generated file = NumberRows(rows, rows - 1, note->first, /*final_newline=*/false);
      const auto path = dir.Write("last.csv", file.text);
      SCOPED_TRACE(std::to_string(rows) + " rows");
      ExpectNumberRows(ReadCsvTable({path}), file.rows, rows - 1, note->second);
      CsvReadOptions options;
      options.sample_bytes = 64 << 10;
      ExpectNumberRows(ReadCsvTable({path}, options), file.rows, rows - 1, note->second);
    }
  }
}

TEST(CsvEdgeTest, ThousandsOfFilesUnderALowLimitOfOpenFiles) {
  TempDirectory dir;
  constexpr int kFiles = 4000;
  for (int f = 0; f < kFiles; ++f) {
    char name[32];
    std::snprintf(name, sizeof(name), "part-%05d.csv", f);
    dir.Write(name, "a,b\n" + std::to_string(f) + ",x\n" + std::to_string(f + kFiles) + ",y\n");
  }
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  const int before = OpenDescriptors();
  std::vector<TablePtr> partitions;
  int planned = 0;
  try {
    // A plan (what a lazy read_csv holds until compute) keeps no file open.
    const CsvPlan plan = PlanCsv({dir.Path("part-*.csv")}, {});
    planned = OpenDescriptors() - before;
    partitions = ReadCsv({dir.Path("part-*.csv")}, {});
  } catch (...) {
    setrlimit(RLIMIT_NOFILE, &saved);
    throw;
  }
  const int after = OpenDescriptors() - before;
  setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_LE(planned, 0);
  EXPECT_LE(after, 0);
  ASSERT_EQ(partitions.size(), size_t(kFiles));
  for (int f = 0; f < kFiles; f += 397) {
    ASSERT_EQ(partitions[size_t(f)]->num_rows(), 2);
    EXPECT_EQ(partitions[size_t(f)]->column(0)->values<int64_t>()[0], f);
    EXPECT_EQ(partitions[size_t(f)]->column(0)->values<int64_t>()[1], f + kFiles);
  }
}

TEST(CsvEdgeTest, DeclaredBoolReadsAsPandasReadsIt) {
  TempDirectory dir;
  // pandas: True/False in any case, or numbers equal to 0 or 1.
  const auto path = dir.Write("flags.csv", "word,digit,number\nTrue,1,1.0\nfalse,0,0.0\ntRuE,1,1e0\nFaLsE,0,-0\n");
  CsvReadOptions options;
  options.dtype = {{"word", "bool"}, {"digit", "bool"}, {"number", "bool"}};
  const auto table = ReadCsvTable({path}, options);
  const std::vector<uint8_t> expected = {1, 0, 1, 0};
  for (int c = 0; c < 3; ++c) {
    ASSERT_EQ(table->schema().field(c).type, types::Bool()) << c;
    for (int64_t row = 0; row < 4; ++row) {
      EXPECT_FALSE(table->column(c)->IsNull(row));
      EXPECT_EQ(table->column(c)->values<uint8_t>()[row], expected[size_t(row)]) << c << " " << row;
    }
  }
  // Without dtype, True/False in any case infer bool, and 0/1 stay integers.
  const auto inferred = ReadCsvTable({path});
  EXPECT_EQ(inferred->schema().field(0).type, types::Bool());
  EXPECT_EQ(inferred->schema().field(1).type, types::Int64());
  // Anything else names the file, line and column.
  for (const auto& [value, line] : std::vector<std::pair<std::string, std::string>>{
           {"2", "line 4"}, {"yes", "line 4"}, {"0.5", "line 4"}, {"", "line 4"}, {"nan", "line 4"}}) {
    const auto bad = dir.Write("bad.csv", "flag,other\n1,a\n0,b\n" + value + ",c\n1,d\n");
    CsvReadOptions bool_options;
    bool_options.dtype = {{"flag", "bool"}};
    try {
      ReadCsvTable({bad}, bool_options);
      ADD_FAILURE() << "accepted '" << value << "'";
    } catch (const ParseError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(bad), std::string::npos) << message;
      EXPECT_NE(message.find(line), std::string::npos) << message;
      EXPECT_NE(message.find("column 'flag'"), std::string::npos) << message;
    }
  }
}

}  // namespace tessera::io
