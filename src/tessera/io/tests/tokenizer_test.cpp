#include "tessera/io/csv/tokenizer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tessera::io::csv {

namespace {

struct Tokenized {
  TokenizeResult result;
  std::vector<std::vector<std::string>> rows;
};

Tokenized TokenizeText(std::string text, TokenizerConfig config, bool at_end, int64_t limit, int64_t max_rows) {
  text.append(kTokenizerPadding, 'x');
  const int64_t size = int64_t(text.size()) - kTokenizerPadding;
  Tokenizer tokenizer(config);
  FieldBatch batch;
  Tokenized out;
  out.result = tokenizer.Tokenize(text.data(), size, 0, limit < 0 ? size : limit, at_end, max_rows, &batch);
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < config.num_columns; ++c) {
      row.push_back(text.substr(batch.start(r, c), batch.end(r, c) - batch.start(r, c)));
    }
    row.push_back(std::to_string(batch.row_offsets[size_t(r)]) + "/" + std::to_string(batch.field_counts[size_t(r)]));
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace

TEST(TokenizerTest, SplitsFieldsRowsAndLineEndings) {
  TokenizerConfig config;
  config.num_columns = 3;
  auto out = TokenizeText("a,b,c\r\n1,,3\n\n\"x,y\",\"q\"\"q\",z\n4,5\n", config, true, -1, 100);
  ASSERT_EQ(out.result.status, TokenizeStatus::kOk);
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_EQ(out.rows[0], (std::vector<std::string>{"a", "b", "c", "0/3"}));
  EXPECT_EQ(out.rows[1], (std::vector<std::string>{"1", "", "3", "7/3"}));
  EXPECT_EQ(out.rows[2], (std::vector<std::string>{"\"x,y\"", "\"q\"\"q\"", "z", "13/3"}));
  EXPECT_EQ(out.rows[3], (std::vector<std::string>{"4", "5", "", "28/2"}));
}

TEST(TokenizerTest, IncompleteLastRowNeedsMoreData) {
  TokenizerConfig config;
  config.num_columns = 2;
  auto out = TokenizeText("1,2\n3,4", config, false, -1, 100);
  EXPECT_EQ(out.result.status, TokenizeStatus::kNeedMoreData);
  EXPECT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.result.next_offset, 4);
  auto cr = TokenizeText("1,2\r", config, false, -1, 100);
  EXPECT_EQ(cr.result.status, TokenizeStatus::kNeedMoreData);
  auto done = TokenizeText("1,2\n3,4", config, true, -1, 100);
  EXPECT_EQ(done.rows.size(), 2u);
}

TEST(TokenizerTest, FastPathAgreesWithGeneralPathOnRandomText) {
  // Every input tokenized with and without the bitmask path must give identical batches and
  // results, whatever the limit, row cap and end-of-data flag.
  std::mt19937_64 rng(9);
  const std::string alphabet = "ab1,,,\n\n\r\"x;";
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text;
    for (uint64_t n = rng() % 300; n > 0; --n) {
      const char c = alphabet[rng() % alphabet.size()];
      if (c == '"' && rng() % 4 != 0) continue;  // keep most rows quote-free
      text += c;
    }
    TokenizerConfig config;
    config.num_columns = 1 + int(rng() % 5);
    config.skip_blank_lines = rng() % 4 != 0;
    const bool at_end = rng() & 1;
    const int64_t limit = rng() % 3 == 0 ? int64_t(rng() % (text.size() + 1)) : -1;
    const int64_t max_rows = 1 + int64_t(rng() % 20);
    auto fast = TokenizeText(text, config, at_end, limit, max_rows);
    config.fast_path = false;
    auto general = TokenizeText(text, config, at_end, limit, max_rows);
    ASSERT_EQ(fast.rows, general.rows) << "trial " << trial;
    ASSERT_EQ(fast.result.status, general.result.status) << "trial " << trial << " text [" << text << "] columns " << config.num_columns << " at_end " << at_end << " limit " << limit << " max_rows " << max_rows;
    ASSERT_EQ(fast.result.next_offset, general.result.next_offset) << "trial " << trial;
    ASSERT_EQ(fast.result.error_offset, general.result.error_offset) << "trial " << trial;
  }
}

}  // namespace tessera::io::csv
