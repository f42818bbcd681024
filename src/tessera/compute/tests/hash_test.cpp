// Tests of column and row hashing: the documented value mapping, cross-type and
// cross-dictionary agreement, float canonicalisation, nulls, slices and collision behaviour.
#include "tessera/base/hash.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tessera/compute/hash.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

std::vector<uint64_t> Hashes(const Column& column) {
  auto hashes = HashColumn(column);
  EXPECT_EQ(hashes->type(), types::UInt64());
  EXPECT_FALSE(hashes->has_nulls());
  const uint64_t* v = hashes->values<uint64_t>();
  return std::vector<uint64_t>(v, v + hashes->length());
}

TEST(HashTest, IntegersHashTheirWidenedValue) {
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  auto hashes = Hashes(*MakeInt64Column({0, -1, lo, hi, std::nullopt}));
  EXPECT_EQ(hashes[0], HashInt64(0));
  EXPECT_EQ(hashes[1], HashInt64(uint64_t(int64_t{-1})));
  EXPECT_EQ(hashes[2], HashInt64(uint64_t(lo)));
  EXPECT_EQ(hashes[3], HashInt64(uint64_t(hi)));
  EXPECT_EQ(hashes[4], kNullHash);
  // Narrower integers, dates and bools agree with int64 of the same value.
  auto int32s = Hashes(*MakeColumn<int32_t>(types::Int32(), {0, -1}));
  EXPECT_EQ(int32s[0], hashes[0]);
  EXPECT_EQ(int32s[1], hashes[1]);
  auto dates = Hashes(*MakeColumn<int32_t>(types::Date(), {-1}));
  EXPECT_EQ(dates[0], hashes[1]);
  auto bools = Hashes(*MakeBoolColumn({false, true}));
  EXPECT_EQ(bools[0], HashInt64(0));
  EXPECT_EQ(bools[1], HashInt64(1));
  auto uints = Hashes(*MakeColumn<uint64_t>(types::UInt64(), {~uint64_t{0}}));
  EXPECT_EQ(uints[0], HashInt64(~uint64_t{0}));
}

TEST(HashTest, FloatsCanonicalise) {
  const double nan = std::nan("");
  const double other_nan = -std::nan("0x1234");
  auto hashes = Hashes(*MakeFloat64Column(
      {0.0, -0.0, nan, other_nan, 1.5, std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_EQ(hashes[2], hashes[3]);
  EXPECT_NE(hashes[0], hashes[2]);
  EXPECT_EQ(hashes[4], HashInt64(std::bit_cast<uint64_t>(1.5)));
  auto float32 = Hashes(*MakeColumn<float>(types::Float32(), {1.5f, -0.0f, std::nanf("")}));
  EXPECT_EQ(float32[0], hashes[4]);
  EXPECT_EQ(float32[1], hashes[0]);
  EXPECT_EQ(float32[2], hashes[2]);
}

TEST(HashTest, StringsAndCategoricalsAgreeAcrossDictionaries) {
  auto strings = Hashes(*MakeStringColumn({"", "apple", "日本", std::nullopt}));
  EXPECT_EQ(strings[0], HashBytes("", 0));
  EXPECT_EQ(strings[1], HashBytes("apple", 5));
  EXPECT_EQ(strings[2], HashBytes("日本", std::string("日本").size()));
  EXPECT_EQ(strings[3], kNullHash);
  // Two categoricals whose dictionaries differ ("apple" has code 0 in one, 1 in the other).
  auto first = Hashes(*MakeCategoricalColumn({"apple", "日本", std::nullopt}));
  auto second = Hashes(*MakeCategoricalColumn({"aardvark", "apple", "日本", std::nullopt}));
  EXPECT_EQ(first[0], strings[1]);
  EXPECT_EQ(second[1], strings[1]);
  EXPECT_EQ(first[1], second[2]);
  EXPECT_EQ(first[2], kNullHash);
}

TEST(HashTest, EmptyOneRowAndSlices) {
  EXPECT_TRUE(Hashes(*MakeInt64Column({})).empty());
  EXPECT_EQ(Hashes(*MakeStringColumn({"x"})).size(), 1u);
  auto full = Hashes(*MakeStringColumn({"a", "bb", std::nullopt, "ccc"}));
  auto slice = Hashes(*MakeStringColumn({"a", "bb", std::nullopt, "ccc"})->Slice(1, 3));
  EXPECT_EQ(slice, std::vector<uint64_t>(full.begin() + 1, full.end()));
  auto ints = Hashes(*MakeInt64Column({5, std::nullopt, 7, 8})->Slice(1, 2));
  EXPECT_EQ(ints, (std::vector<uint64_t>{kNullHash, HashInt64(7)}));
}

TEST(HashTest, HashRowsFoldsKeysInOrder) {
  auto table =
      Table::Make({"a", "b"}, {MakeInt64Column({1, 1, 2}), MakeStringColumn({"x", "y", "x"})});
  auto single = HashRows(*table, {"a"});
  auto a = Hashes(*table->column("a"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(single->values<uint64_t>()[i], a[size_t(i)]);
  auto both = HashRows(*table, {"a", "b"});
  auto b = Hashes(*table->column("b"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(both->values<uint64_t>()[i], HashCombine(a[size_t(i)], b[size_t(i)]));
  }
  auto reversed = HashRows(*table, {"b", "a"});
  EXPECT_NE(reversed->values<uint64_t>()[0], both->values<uint64_t>()[0]);
  EXPECT_NE(both->values<uint64_t>()[0], both->values<uint64_t>()[1]);
  EXPECT_THROW(HashRows(*table, {"missing"}), KeyError);
  EXPECT_THROW(HashRows(*table, {}), InvalidArgument);
}

TEST(HashTest, RandomDistinctValuesRarelyCollide) {
  std::mt19937_64 rng(7);
  std::set<int64_t> values;
  while (values.size() < 100000) values.insert(int64_t(rng() % 1000000000));
  std::vector<std::optional<int64_t>> column(values.begin(), values.end());
  auto hashes = Hashes(*MakeInt64Column(column));
  EXPECT_EQ(std::set<uint64_t>(hashes.begin(), hashes.end()).size(), values.size());
  // Low bits (what a power-of-two hash table uses) spread evenly over 16 buckets.
  std::vector<int> buckets(16, 0);
  for (uint64_t h : hashes) ++buckets[h & 15];
  for (int count : buckets) EXPECT_NEAR(count, 100000 / 16, 400);
}

}  // namespace
}  // namespace tessera::compute
