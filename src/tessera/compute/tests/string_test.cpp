// Tests of the string kernels: code point lengths and slices, ASCII case mapping and stripping,
// literal and regex search (including matches that would straddle two rows), replace,
// categoricals, slices and a randomised reference built from known characters.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/string.hpp"
#include "tessera/compute/tests/column_expectations.hpp"

namespace tessera::compute {
namespace {

using testing::ColumnOf;
using testing::SlicedStringsOf;

ColumnPtr Strings(std::vector<std::optional<std::string>> values) { return MakeStringColumn(values); }
ColumnPtr Bools(std::vector<std::optional<bool>> values) { return MakeBoolColumn(values); }

TEST(StringTest, LengthCountsCodePoints) {
  EXPECT_COLUMN_EQ(*Length(*Strings({"héllo", "", "日本", "😀", std::nullopt, "abc"})),
                   *MakeInt64Column({5, 0, 2, 1, std::nullopt, 3}));
  EXPECT_EQ(Length(*Strings({}))->length(), 0);
  EXPECT_THROW(Length(*MakeInt64Column({1})), TypeError);
}

TEST(StringTest, CaseMappingIsAscii) {
  auto text = Strings({"HeLLo ÉCOLE 123", "", std::nullopt, "straße"});
  EXPECT_COLUMN_EQ(*Lower(*text), *Strings({"hello École 123", "", std::nullopt, "straße"}));
  EXPECT_COLUMN_EQ(*Upper(*text), *Strings({"HELLO ÉCOLE 123", "", std::nullopt, "STRAßE"}));
  EXPECT_EQ(Upper(*Strings({}))->length(), 0);
}

TEST(StringTest, Strip) {
  auto text = Strings({"  a b \t\n", "\x1c x\r", "", "   ", "\xc2\xa0x", std::nullopt});
  EXPECT_COLUMN_EQ(*Strip(*text), *Strings({"a b", "x", "", "", "\xc2\xa0x", std::nullopt}));
  EXPECT_COLUMN_EQ(*LStrip(*text), *Strings({"a b \t\n", "x\r", "", "", "\xc2\xa0x", std::nullopt}));
  EXPECT_COLUMN_EQ(*RStrip(*text), *Strings({"  a b", "\x1c x", "", "", "\xc2\xa0x", std::nullopt}));
}

TEST(StringTest, ContainsLiteral) {
  auto text = Strings({"apple", "banana", "", std::nullopt, "pineapple", "日本語"});
  EXPECT_COLUMN_EQ(*Contains(*text, "app"), *Bools({true, false, false, std::nullopt, true, false}));
  EXPECT_COLUMN_EQ(*Contains(*text, ""), *Bools({true, true, true, std::nullopt, true, true}));
  EXPECT_COLUMN_EQ(*Contains(*text, "本"), *Bools({false, false, false, std::nullopt, false, true}));
  EXPECT_COLUMN_EQ(*Contains(*text, "zzz"), *Bools({false, false, false, std::nullopt, false, false}));
  // "bc" spans the boundary of "ab" and "cd" in the bytes buffer; it must not count.
  EXPECT_COLUMN_EQ(*Contains(*Strings({"ab", "cd", "abcd"}), "bc"), *Bools({false, false, true}));
  EXPECT_COLUMN_EQ(*Contains(*Strings({"aa", "a", "", "aaa"}), "aa"), *Bools({true, false, false, true}));
  EXPECT_EQ(Contains(*Strings({}), "a")->length(), 0);
}

TEST(StringTest, ContainsRegex) {
  auto text = Strings({"apple", "banana", "", std::nullopt, "Apple pie"});
  EXPECT_COLUMN_EQ(*Contains(*text, "^a.*e$", true), *Bools({true, false, false, std::nullopt, false}));
  EXPECT_COLUMN_EQ(*Contains(*text, "an+a", true), *Bools({false, true, false, std::nullopt, false}));
  EXPECT_COLUMN_EQ(*Contains(*text, "[A-Z]", true), *Bools({false, false, false, std::nullopt, true}));
  // The same text is literal without regex.
  EXPECT_COLUMN_EQ(*Contains(*Strings({"a.c", "abc"}), "a.c"), *Bools({true, false}));
  EXPECT_THROW(Contains(*text, "(", true), InvalidArgument);
}

TEST(StringTest, StartsAndEndsWith) {
  auto text = Strings({"prefix-x", "pre", "", std::nullopt, "日本語"});
  EXPECT_COLUMN_EQ(*StartsWith(*text, "pre"), *Bools({true, true, false, std::nullopt, false}));
  EXPECT_COLUMN_EQ(*EndsWith(*text, "-x"), *Bools({true, false, false, std::nullopt, false}));
  EXPECT_COLUMN_EQ(*EndsWith(*text, "語"), *Bools({false, false, false, std::nullopt, true}));
  EXPECT_COLUMN_EQ(*StartsWith(*text, ""), *Bools({true, true, true, std::nullopt, true}));
}

TEST(StringTest, SliceFollowsPython) {
  auto text = Strings({"hello", "héllo", "日本語", "", std::nullopt});
  EXPECT_COLUMN_EQ(*Slice(*text, 1, 3), *Strings({"el", "él", "本語", "", std::nullopt}));
  EXPECT_COLUMN_EQ(*Slice(*text, -2, std::nullopt), *Strings({"lo", "lo", "本語", "", std::nullopt}));
  EXPECT_COLUMN_EQ(*Slice(*text, std::nullopt, -1), *Strings({"hell", "héll", "日本", "", std::nullopt}));
  EXPECT_COLUMN_EQ(*Slice(*text, 10, std::nullopt), *Strings({"", "", "", "", std::nullopt}));
  EXPECT_COLUMN_EQ(*Slice(*text, 3, 1), *Strings({"", "", "", "", std::nullopt}));
  EXPECT_COLUMN_EQ(*Slice(*text, -100, 100), *text);
}

TEST(StringTest, Replace) {
  auto text = Strings({"aaa", "aaaa", "abc", "", std::nullopt, "日本"});
  EXPECT_COLUMN_EQ(*Replace(*text, "a", "b"), *Strings({"bbb", "bbbb", "bbc", "", std::nullopt, "日本"}));
  EXPECT_COLUMN_EQ(*Replace(*text, "aa", "a"), *Strings({"aa", "aa", "abc", "", std::nullopt, "日本"}));
  EXPECT_COLUMN_EQ(*Replace(*text, "", "-"), *Strings({"-a-a-a-", "-a-a-a-a-", "-a-b-c-", "-", std::nullopt, "-日-本-"}));
  EXPECT_COLUMN_EQ(*Replace(*text, "本", ""), *Strings({"aaa", "aaaa", "abc", "", std::nullopt, "日"}));
}

TEST(StringTest, Categoricals) {
  auto cat = MakeCategoricalColumn({"Apple", std::nullopt, "banana", "Apple"});
  EXPECT_COLUMN_EQ(*Contains(*cat, "an"), *Bools({false, std::nullopt, true, false}));
  EXPECT_COLUMN_EQ(*Length(*cat), *MakeInt64Column({5, std::nullopt, 6, 5}));
  EXPECT_COLUMN_EQ(*Lower(*cat), *Strings({"apple", std::nullopt, "banana", "apple"}));
  EXPECT_COLUMN_EQ(*Slice(*cat, 0, 1), *Strings({"A", std::nullopt, "b", "A"}));
}

TEST(StringTest, SlicedInputs) {
  auto text = SlicedStringsOf({"  Ab", std::nullopt, "pad", "x"});
  EXPECT_COLUMN_EQ(*Upper(*text), *Strings({"  AB", std::nullopt, "PAD", "X"}));
  EXPECT_COLUMN_EQ(*Strip(*text), *Strings({"Ab", std::nullopt, "pad", "x"}));
  EXPECT_COLUMN_EQ(*Length(*text), *MakeInt64Column({4, std::nullopt, 3, 1}));
  // "pad" also sits before the slice; only row 2 may match.
  EXPECT_COLUMN_EQ(*Contains(*text, "pad"), *Bools({false, std::nullopt, true, false}));
  EXPECT_COLUMN_EQ(*Replace(*text, "a", "A"), *Strings({"  Ab", std::nullopt, "pAd", "x"}));
}

TEST(StringTest, RandomisedAgainstReference) {
  const std::vector<std::string> alphabet = {"a", "b", "A", " ", "é", "日", "😀"};
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> size(0, 8);
  std::uniform_int_distribution<int64_t> index(-10, 10);
  for (int64_t length : {1, 50, 400}) {
    std::vector<std::vector<std::string>> characters;
    std::vector<std::optional<std::string>> rows;
    for (int64_t i = 0; i < length; ++i) {
      std::vector<std::string> chars;
      for (int n = size(rng); n > 0; --n) chars.push_back(alphabet[pick(rng)]);
      std::string joined;
      for (const auto& c : chars) joined += c;
      characters.push_back(chars);
      rows.push_back(i % 11 == 5 ? std::nullopt : std::optional<std::string>(joined));
    }
    const int64_t start = index(rng), stop = index(rng);
    std::vector<std::optional<int64_t>> lengths;
    std::vector<std::optional<std::string>> slices, uppers, replaced;
    std::vector<std::optional<bool>> contains;
    for (int64_t i = 0; i < length; ++i) {
      if (!rows[size_t(i)]) {
        lengths.push_back(std::nullopt);
        slices.push_back(std::nullopt);
        uppers.push_back(std::nullopt);
        replaced.push_back(std::nullopt);
        contains.push_back(std::nullopt);
        continue;
      }
      const auto& chars = characters[size_t(i)];
      const int64_t count = int64_t(chars.size());
      lengths.push_back(count);
      auto clamp = [count](int64_t v) { return std::max<int64_t>(0, std::min(count, v < 0 ? v + count : v)); };
      std::string slice, upper, swapped;
      for (int64_t c = clamp(start); c < clamp(stop); ++c) slice += chars[size_t(c)];
      for (const auto& c : chars) {
        upper += c == "a" ? "A" : c == "b" ? "B" : c;
        swapped += c == "日" ? "<>" : c;
      }
      slices.push_back(slice);
      uppers.push_back(upper);
      replaced.push_back(swapped);
      contains.push_back(rows[size_t(i)]->find("a日") != std::string::npos);
    }
    auto column = SlicedStringsOf(rows);
    EXPECT_COLUMN_EQ(*Length(*column), *MakeInt64Column(lengths));
    EXPECT_COLUMN_EQ(*Slice(*column, start, stop), *Strings(slices)) << start << ":" << stop;
    EXPECT_COLUMN_EQ(*Upper(*column), *Strings(uppers));
    EXPECT_COLUMN_EQ(*Replace(*column, "日", "<>"), *Strings(replaced));
    EXPECT_COLUMN_EQ(*Contains(*column, "a日"), *Bools(contains));
  }
}

TEST(StringTest, EmptyInputs) {
  auto empty = Strings({});
  EXPECT_EQ(Strip(*empty)->length(), 0);
  EXPECT_EQ(StartsWith(*empty, "a")->length(), 0);
  EXPECT_EQ(Slice(*empty, 1, 2)->length(), 0);
  EXPECT_EQ(Replace(*empty, "a", "b")->length(), 0);
  EXPECT_EQ(Contains(*empty, "a", true)->length(), 0);
  EXPECT_EQ(Lower(*MakeCategoricalColumn({}))->length(), 0);
  auto nulls = Strings({std::nullopt, std::nullopt});
  EXPECT_COLUMN_EQ(*Contains(*nulls, "a"), *Bools({std::nullopt, std::nullopt}));
  EXPECT_COLUMN_EQ(*Lower(*nulls), *nulls);
}

}  // namespace
}  // namespace tessera::compute
