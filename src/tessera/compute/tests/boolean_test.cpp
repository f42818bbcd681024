// Tests of And/Or/Xor/Not: truth tables, the null -> False rule, scalars, slices, errors and a
// randomised reference.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/boolean.hpp"
#include "tessera/compute/tests/column_expectations.hpp"

namespace tessera::compute {
namespace {

using testing::SlicedColumnOf;

ColumnPtr Bools(std::vector<std::optional<bool>> values) { return MakeBoolColumn(values); }

TEST(BooleanTest, TruthTables) {
  auto a = Bools({true, true, false, false});
  auto b = Bools({true, false, true, false});
  EXPECT_COLUMN_EQ(*And(*a, *b), *Bools({true, false, false, false}));
  EXPECT_COLUMN_EQ(*Or(*a, *b), *Bools({true, true, true, false}));
  EXPECT_COLUMN_EQ(*Xor(*a, *b), *Bools({false, true, true, false}));
  EXPECT_COLUMN_EQ(*Not(*a), *Bools({false, false, true, true}));
}

TEST(BooleanTest, NullsBecomeFalse) {
  auto a = Bools({std::nullopt, std::nullopt, true, false});
  auto b = Bools({true, false, std::nullopt, std::nullopt});
  EXPECT_COLUMN_EQ(*And(*a, *b), *Bools({false, false, false, false}));
  EXPECT_COLUMN_EQ(*Or(*a, *b), *Bools({false, false, false, false}));
  EXPECT_COLUMN_EQ(*Xor(*a, *b), *Bools({false, false, false, false}));
  EXPECT_COLUMN_EQ(*Not(*a), *Bools({false, false, false, true}));
  EXPECT_EQ(Or(*a, *b)->null_count(), 0);
}

TEST(BooleanTest, ScalarsEmptyAndOneRow) {
  auto a = Bools({true, false, std::nullopt});
  EXPECT_COLUMN_EQ(*And(*a, Scalar::Bool(true)), *Bools({true, false, false}));
  EXPECT_COLUMN_EQ(*Or(*a, Scalar::Bool(true)), *Bools({true, true, false}));
  EXPECT_COLUMN_EQ(*Xor(*a, Scalar::Bool(true)), *Bools({false, true, false}));
  EXPECT_COLUMN_EQ(*Or(*a, Scalar::Null(types::Bool())), *Bools({false, false, false}));
  EXPECT_EQ(And(*Bools({}), *Bools({}))->length(), 0);
  EXPECT_EQ(Not(*Bools({}))->length(), 0);
  EXPECT_COLUMN_EQ(*Not(*Bools({false})), *Bools({true}));
}

TEST(BooleanTest, Errors) {
  EXPECT_THROW(And(*MakeInt64Column({1}), *Bools({true})), TypeError);
  EXPECT_THROW(Not(*MakeStringColumn({"True"})), TypeError);
  EXPECT_THROW(Or(*Bools({true}), *Bools({true, false})), InvalidArgument);
  EXPECT_THROW(Or(*Bools({true}), Scalar::Int64(1)), TypeError);
}

TEST(BooleanTest, SlicedAndRandomisedAgainstReference) {
  std::mt19937_64 rng(7);
  for (int64_t length : {1, 9, 64, 130, 999}) {
    auto x = testing::RandomValues<uint8_t>(rng, length, 0, 1, 0.2);
    auto y = testing::RandomValues<uint8_t>(rng, length, 0, 1, 0.2);
    auto a = SlicedColumnOf<uint8_t>(types::Bool(), x);
    auto b = SlicedColumnOf<uint8_t>(types::Bool(), y);
    std::vector<std::optional<bool>> and_expected, or_expected, xor_expected, not_expected;
    for (int64_t i = 0; i < length; ++i) {
      const auto& p = x[size_t(i)];
      const auto& q = y[size_t(i)];
      const bool both = p && q;
      and_expected.push_back(both && (*p & *q));
      or_expected.push_back(both && (*p | *q));
      xor_expected.push_back(both && (*p ^ *q));
      not_expected.push_back(p && !*p);
    }
    EXPECT_COLUMN_EQ(*And(*a, *b), *Bools(and_expected));
    EXPECT_COLUMN_EQ(*Or(*a, *b), *Bools(or_expected));
    EXPECT_COLUMN_EQ(*Xor(*a, *b), *Bools(xor_expected));
    EXPECT_COLUMN_EQ(*Not(*a), *Bools(not_expected));
  }
}

}  // namespace
}  // namespace tessera::compute
