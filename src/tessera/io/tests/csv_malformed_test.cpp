// Malformed input must give a clear error naming file, line and column (or a documented
// pandas-like result), never a crash, a hang or silent garbage.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <random>
#include <vector>

#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/tests/temp_directory.hpp"

namespace tessera::io {

namespace {

// Runs `read` and returns the message of the tessera error of type E it throws.
template <typename E, typename Read>
std::string ErrorOf(Read&& read) {
  try {
    read();
  } catch (const E& error) {
    return error.what();
  } catch (const std::exception& other) {
    ADD_FAILURE() << "unexpected exception: " << other.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

void ExpectContains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "'" << part << "' not in: " << text;
}

}  // namespace

TEST(CsvMalformedTest, TooManyFieldsNamesFileAndLine) {
  TempDirectory dir;
  const auto path = dir.Write("wide.csv", "a,b\n1,2\n3,4\n5,6,7\n8,9\n");
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}); });
  ExpectContains(message, path);
  ExpectContains(message, "line 4");
  ExpectContains(message, "expected 2 fields, saw 3");
}

TEST(CsvMalformedTest, TooManyFieldsFoundInALaterBlock) {
  TempDirectory dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 5000; ++i) text += (i == 4321 ? "1,2,3\n" : "1,2\n");
  const auto path = dir.Write("late.csv", text);
  CsvReadOptions options;
  options.blocksize = 1000;
  ExpectContains(ErrorOf<ParseError>([&] { ReadCsvTable({path}, options); }), "line 4323");
}

TEST(CsvMalformedTest, TooFewFieldsAreMissingValuesAsInPandas) {
  TempDirectory dir;
  auto table = ReadCsvTable({dir.Write("short.csv", "a,b,c\n1,2,3\n4\n5,6\n")});
  ASSERT_EQ(table->num_rows(), 3);
  EXPECT_EQ(table->column("b")->type(), types::Float64());
  EXPECT_TRUE(table->column("b")->IsNull(1));
  EXPECT_TRUE(table->column("c")->IsNull(2));
  EXPECT_EQ(table->column("a")->values<int64_t>()[2], 5);
}

TEST(CsvMalformedTest, UnterminatedQuote) {
  TempDirectory dir;
  const auto path = dir.Write("q.csv", "a,b\n1,\"open\n2,3\n");
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}); });
  ExpectContains(message, "line 2");
  ExpectContains(message, "never closes");
}

TEST(CsvMalformedTest, InvalidUtf8NamesColumn) {
  TempDirectory dir;
  const auto path = dir.Write("latin1.csv", "id,name\n1,ok\n2,caf\xe9\n");
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}); });
  ExpectContains(message, "line 3 column 'name'");
  ExpectContains(message, "UTF-8");
}

TEST(CsvMalformedTest, InvalidUtf8InHeader) {
  TempDirectory dir;
  const auto path = dir.Write("h.csv", "id,caf\xe9\n1,2\n");
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}); });
  ExpectContains(message, "line 1: header column 2 is not valid UTF-8");
}

TEST(CsvMalformedTest, DeclaredDtypeViolationSaysHowToFix) {
  TempDirectory dir;
  const auto path = dir.Write("p.csv", "passenger_count,x\n1,a\ntwo,b\n");
  CsvReadOptions options;
  options.dtype = {{"passenger_count", "int64"}};
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}, options); });
  ExpectContains(message, path + " line 3 column 'passenger_count': \"two\" is not an integer");
  ExpectContains(message, "dtype={'passenger_count': 'string'}");
  options.dtype = {{"passenger_count", "int8"}};
  const auto overflow = dir.Write("o.csv", "passenger_count\n1\n300\n");
  ExpectContains(ErrorOf<ParseError>([&] { ReadCsvTable({overflow}, options); }), "fits int8");
}

TEST(CsvMalformedTest, BadDateNamesColumnAndFormatOption) {
  TempDirectory dir;
  const auto path = dir.Write("dates.csv", "when\n2015-01-01\nyesterday\n");
  CsvReadOptions options;
  options.parse_dates = {"when"};
  const auto message = ErrorOf<ParseError>([&] { ReadCsvTable({path}, options); });
  ExpectContains(message, "column 'when': \"yesterday\" is not a timestamp");
  ExpectContains(message, "date_format");
  options.parse_dates = {"missing"};
  ExpectContains(ErrorOf<KeyError>([&] { ReadCsvTable({path}, options); }), "parse_dates");
  options.parse_dates = {};
  options.usecols = {"nope"};
  ExpectContains(ErrorOf<KeyError>([&] { ReadCsvTable({path}, options); }), "usecols");
}

TEST(CsvMalformedTest, EmptyAndMissingFiles) {
  TempDirectory dir;
  const auto empty = dir.Write("empty.csv", "");
  ExpectContains(ErrorOf<ParseError>([&] { ReadCsvTable({empty}); }), "empty");
  const auto bom_only = dir.Write("bom.csv", "\xEF\xBB\xBF");
  ExpectContains(ErrorOf<ParseError>([&] { ReadCsvTable({bom_only}); }), "empty");
  const auto good = dir.Write("good.csv", "a\n1\n");
  ExpectContains(ErrorOf<IOError>([&] { ReadCsvTable({good, dir.Path("gone.csv")}); }), "gone.csv");
  ExpectContains(ErrorOf<IOError>([&] { ReadCsvTable({dir.Path("*.tsv")}); }), "no files match");
  ExpectContains(ErrorOf<IOError>([&] { ReadCsvTable({dir.path()}); }), "directory");
}

TEST(CsvMalformedTest, FilesWithDifferentColumnsAreRejected) {
  TempDirectory dir;
  dir.Write("m/a.csv", "x,y\n1,2\n");
  dir.Write("m/b.csv", "x,z\n1,2\n");
  ExpectContains(ErrorOf<ParseError>([&] { ReadCsvTable({dir.Path("m/*.csv")}); }), "b.csv");
}

TEST(CsvMalformedTest, FileChangedAfterPlanning) {
  TempDirectory dir;
  std::string text = "a\n";
  for (int i = 0; i < 1000; ++i) text += "1\n";
  const auto path = dir.Write("grow.csv", text);
  auto plan = PlanCsv({path}, {});
  std::ofstream(path, std::ios::app) << "2\n3\n";
  auto result = ReadCsvBlock(plan, 0);
  ASSERT_TRUE(result.error);
  EXPECT_THROW(std::rethrow_exception(result.error), IOError);
}

TEST(CsvMalformedTest, UnsupportedOptionsAreRejectedUpFront) {
  TempDirectory dir;
  const auto path = dir.Write("a.csv", "a\n1\n");
  CsvReadOptions options;
  options.encoding = "latin-1";
  ExpectContains(ErrorOf<InvalidArgument>([&] { ReadCsvTable({path}, options); }), "latin-1");
  options = {};
  options.blocksize = 0;
  EXPECT_THROW(ReadCsvTable({path}, options), InvalidArgument);
  options = {};
  options.date_format = "%Q";
  EXPECT_THROW(ReadCsvTable({path}, options), InvalidArgument);
  options = {};
  options.names = {"a", "b"};
  EXPECT_THROW(ReadCsvTable({path}, options), InvalidArgument);
}

TEST(CsvMalformedTest, TruncatedGzip) {
  TempDirectory dir;
  std::string text = "a\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + "\n";
  const auto full = dir.Path("full.csv.gz");
  gzFile gz = gzopen(full.c_str(), "wb");
  gzwrite(gz, text.data(), unsigned(text.size()));
  gzclose(gz);
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = dir.Write("cut.csv.gz", bytes.substr(0, bytes.size() / 2));
  ExpectContains(ErrorOf<IOError>([&] { ReadCsvTable({cut}); }), "truncated");
  const auto junk = dir.Write("junk.csv.gz", "this is not gzip at all");
  EXPECT_THROW(ReadCsvTable({junk}), IOError);
}

// What a read gives: the table, or the error's kind and message.
struct ReadOutcome {
  TablePtr table;
  std::string error;
};

ReadOutcome ReadOutcomeOf(const std::string& path, const CsvReadOptions& options) {
  try {
    return {ReadCsvTable({path}, options), ""};
  } catch (const Error& error) {
    return {nullptr, std::string(ErrorKindName(error.kind())) + ": " + error.what()};
  }
}

TEST(CsvMalformedTest, RandomBytesReadAsInOneBlock) {
  // Splitting a file into blocks must not change what it reads as: every read of random bytes
  // in small blocks gives the same table, or the same error, as reading it in one block.
  std::mt19937_64 rng(3);
  TempDirectory dir;
  const std::string alphabet = "ab1.,\"\n\r\t;#-e \xC3\xA9\xff";
  // Half the trials are rows of three random fields (numbers, text, quotes with line breaks),
  // which mostly read as tables; the other half are random bytes, which mostly do not.
  const std::vector<std::string> field_pieces = {"0", "1", "7", "42", ".", "e", "-", "a", "b", " ", "\"", "\n", "\xC3\xA9"};
  int tables = 0, errors = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string text;
    if (trial % 2 == 0) {
      for (uint64_t n = rng() % 400; n > 0; --n) text += alphabet[rng() % alphabet.size()];
    } else {
      text = "x,y,z\n";
      for (uint64_t row = rng() % 30; row > 0; --row) {
        for (int column = 0; column < 3; ++column) {
          std::string field;
          for (uint64_t n = rng() % 5; n > 0; --n) field += field_pieces[rng() % field_pieces.size()];
          const bool quoted = field.find_first_of("\"\n") != std::string::npos && rng() % 4 != 0;
          if (quoted) {
            std::string escaped;
            for (char c : field) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
            field = "\"" + escaped + "\"";
          }
          text += (column > 0 ? "," : "") + field;
        }
        text += "\n";
      }
    }
    const auto path = dir.Write("r.csv", text);
    CsvReadOptions options;
    if (rng() % 3 == 0) options.comment = '#';
    CsvReadOptions one_block = options;
    one_block.blocksize = int64_t(1) << 30;
    options.blocksize = int64_t(rng() % 50) + 1;
    const ReadOutcome expected = ReadOutcomeOf(path, one_block);
    const ReadOutcome split = ReadOutcomeOf(path, options);
    SCOPED_TRACE("trial " + std::to_string(trial) + ", blocksize " + std::to_string(options.blocksize));
    EXPECT_EQ(split.error, expected.error);
    if (expected.table && split.table) {
      EXPECT_TRUE(split.table->Equals(*expected.table))
          << "in blocks:\n" << split.table->ToString() << "\nin one block:\n" << expected.table->ToString();
    }
    ++(expected.table ? tables : errors);
  }
  // Both outcomes occur, so the comparison covers each.
  EXPECT_GT(tables, 30);
  EXPECT_GT(errors, 30);
}

}  // namespace tessera::io
