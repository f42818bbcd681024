// Tests of hash and range partitioning: every row lands exactly once, in the right partition,
// in input order; equal keys meet; Dask divisions semantics at the edges; errors.
#include "tessera/compute/partition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tessera/compute/hash.hpp"
#include "tessera/memory/memory_pool.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

std::vector<std::optional<int64_t>> Ints(const Column& column) {
  std::vector<std::optional<int64_t>> out;
  for (int64_t i = 0; i < column.length(); ++i) {
    out.push_back(column.IsValid(i) ? std::optional<int64_t>(column.values<int64_t>()[i])
                                    : std::nullopt);
  }
  return out;
}

using OptInts = std::vector<std::optional<int64_t>>;

// The "row" column of each partition.
std::vector<OptInts> Rows(const std::vector<TablePtr>& partitions) {
  std::vector<OptInts> out;
  for (const auto& p : partitions) out.push_back(Ints(*p->column("row")));
  return out;
}

TablePtr WithRowNumbers(const std::string& name, ColumnPtr key) {
  std::vector<std::optional<int64_t>> rows;
  for (int64_t i = 0; i < key->length(); ++i) rows.push_back(i);
  return Table::Make({name, "row"}, {key, MakeInt64Column(rows)});
}

TEST(PartitionByHashTest, EqualKeysMeetAndOrderIsKept) {
  std::mt19937_64 rng(5);
  std::vector<std::optional<int64_t>> keys;
  std::vector<std::optional<std::string>> names;
  for (int i = 0; i < 5000; ++i) {
    keys.push_back(rng() % 20 == 0 ? std::nullopt : std::optional<int64_t>(int64_t(rng() % 300)));
    names.push_back(std::string(1, char('a' + rng() % 3)));
  }
  auto table = Table::Make({"k", "name", "row"},
                           {MakeInt64Column(keys), MakeStringColumn(names),
                            WithRowNumbers("k", MakeInt64Column(keys))->column("row")});
  for (const int n : {1, 2, 16, 33}) {
    auto partitions = PartitionByHash(*table, {"k"}, n);
    ASSERT_EQ(int(partitions.size()), n);
    std::map<std::optional<int64_t>, int> home;  // key -> partition
    int64_t total = 0;
    for (int p = 0; p < n; ++p) {
      const auto& part = partitions[size_t(p)];
      EXPECT_EQ(part->schema(), table->schema());
      total += part->num_rows();
      auto rows = Ints(*part->column("row"));
      auto part_keys = Ints(*part->column("k"));
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) {
          EXPECT_LT(*rows[i - 1], *rows[i]);  // input order within a partition
        }
        EXPECT_EQ(part_keys[i], keys[size_t(*rows[i])]);
        EXPECT_EQ(part->column("name")->GetString(int64_t(i)), *names[size_t(*rows[i])]);
        auto [it, inserted] = home.emplace(part_keys[i], p);
        EXPECT_EQ(it->second, p);
        // The documented mapping from the row hash.
        const uint64_t h = HashColumn(*MakeInt64Column({part_keys[i]}))->values<uint64_t>()[0];
        EXPECT_EQ(int((static_cast<unsigned __int128>(h) * unsigned(n)) >> 64), p);
      }
    }
    EXPECT_EQ(total, 5000);
    if (n == 16) {
      for (const auto& part : partitions) EXPECT_GT(part->num_rows(), 100);  // spread out
    }
  }
}

TEST(PartitionByHashTest, StringAndCategoricalKeysAgree) {
  std::vector<std::optional<std::string>> values = {"x", "y", "żółw", "", std::nullopt, "x", "q"};
  auto as_string = PartitionByHash(*WithRowNumbers("k", MakeStringColumn(values)), {"k"}, 4);
  auto as_category = PartitionByHash(*WithRowNumbers("k", MakeCategoricalColumn(values)), {"k"}, 4);
  EXPECT_EQ(Rows(as_string), Rows(as_category));
  // Two columns as the key, one partition sliced from a bigger table.
  auto table = Table::Make({"a", "b", "row"}, {MakeInt64Column({1, 1, 2, 2, 1}),
                                               MakeStringColumn({"u", "v", "u", "u", "u"}),
                                               MakeInt64Column({0, 1, 2, 3, 4})});
  auto parts = PartitionByHash(*table->Slice(1, 4), {"a", "b"}, 8);
  std::set<int> homes_of_2u;
  std::set<int> homes_of_1u;
  for (int p = 0; p < 8; ++p) {
    for (const auto& row : Ints(*parts[size_t(p)]->column("row"))) {
      if (*row == 2 || *row == 3) homes_of_2u.insert(p);
      if (*row == 4) homes_of_1u.insert(p);
    }
  }
  EXPECT_EQ(homes_of_2u.size(), 1u);
  EXPECT_EQ(homes_of_1u.size(), 1u);
}

TEST(PartitionByHashTest, EmptyInputIndexAndErrors) {
  auto empty = PartitionByHash(*WithRowNumbers("k", MakeInt64Column({})), {"k"}, 3);
  ASSERT_EQ(empty.size(), 3u);
  for (const auto& p : empty) EXPECT_EQ(p->num_rows(), 0);
  auto indexed =
      Table::Make({"k"}, {MakeInt64Column({5, 6, 5})}, MakeStringColumn({"a", "b", "c"}), "name");
  auto parts = PartitionByHash(*indexed, {"k"}, 2);
  int64_t total = 0;
  for (const auto& p : parts) {
    EXPECT_EQ(p->index_name(), "name");
    for (int64_t i = 0; i < p->num_rows(); ++i) {
      const int64_t k = p->column("k")->values<int64_t>()[i];
      const std::string_view name = p->index()->GetString(i);
      EXPECT_TRUE((k == 5 && (name == "a" || name == "c")) || (k == 6 && name == "b"));
    }
    total += p->num_rows();
  }
  EXPECT_EQ(total, 3);
  EXPECT_THROW(PartitionByHash(*indexed, {"k"}, 0), InvalidArgument);
  EXPECT_THROW(PartitionByHash(*indexed, {"nope"}, 2), KeyError);
}

TEST(PartitionByBoundariesTest, DivisionsSemantics) {
  auto table = WithRowNumbers("x", MakeInt64Column({5, -100, 10, 20, 30, 31, std::nullopt, 0, 19,
                                                    std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::max()}));
  // Divisions (0, 10, 20, 30): [0, 10), [10, 20), [20, 30].
  auto parts = PartitionByBoundaries(*table, "x", std::vector<int64_t>{0, 10, 20, 30});
  EXPECT_EQ(Rows(parts), (std::vector<OptInts>{{0, 1, 7, 9}, {2, 8}, {3, 4, 5, 6, 10}}));
  // Same through Scalars and a boundaries column.
  std::vector<Scalar> scalars = {Scalar::Int64(0), Scalar::Int64(10), Scalar::Int64(20),
                                 Scalar::Int64(30)};
  EXPECT_EQ(Rows(PartitionByBoundaries(*table, "x", scalars)), Rows(parts));
  EXPECT_EQ(Rows(PartitionByBoundaries(*table, "x", *MakeInt64Column({0, 10, 20, 30}))),
            Rows(parts));
  // Float boundaries against an int key.
  EXPECT_EQ(Rows(PartitionByBoundaries(*table, "x", std::vector<double>{0, 9.5, 19.5, 30})),
            (std::vector<OptInts>{{0, 1, 7, 9}, {2, 8}, {3, 4, 5, 6, 10}}));
  // One partition, and repeated boundaries (a value goes to the last partition it reaches).
  EXPECT_EQ(Rows(PartitionByBoundaries(*table, "x", std::vector<int64_t>{0, 100}))[0].size(), 11u);
  EXPECT_EQ(Rows(PartitionByBoundaries(*table, "x", std::vector<int64_t>{0, 10, 10, 20})),
            (std::vector<OptInts>{{0, 1, 7, 9}, {}, {2, 3, 4, 5, 6, 8, 10}}));
}

TEST(PartitionByBoundariesTest, FloatTimestampStringAndSlicedKeys) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  auto floats =
      WithRowNumbers("x", MakeFloat64Column({0.5, nan, -inf, inf, 1.0, -0.0, std::nullopt}));
  EXPECT_EQ(Rows(PartitionByBoundaries(*floats, "x", std::vector<double>{0.0, 1.0, 2.0})),
            (std::vector<OptInts>{{0, 2, 5}, {1, 3, 4, 6}}));
  EXPECT_EQ(Rows(PartitionByBoundaries(*floats, "x", std::vector<int64_t>{0, 1, 2})),
            (std::vector<OptInts>{{0, 2, 5}, {1, 3, 4, 6}}));

  auto times = WithRowNumbers("t", MakeTimestampColumn({"2015-01-05", "2014-12-31", "2015-02-01",
                                                        "2015-01-01", std::nullopt}));
  auto bounds = MakeTimestampColumn({"2015-01-01", "2015-01-15", "2015-02-01"});
  EXPECT_EQ(Rows(PartitionByBoundaries(*times, "t", *bounds)),
            (std::vector<OptInts>{{0, 1, 3}, {2, 4}}));
  std::vector<Scalar> stamps = {Scalar::Timestamp(bounds->values<int64_t>()[0]),
                                Scalar::Timestamp(bounds->values<int64_t>()[1]),
                                Scalar::Timestamp(bounds->values<int64_t>()[2])};
  EXPECT_EQ(Rows(PartitionByBoundaries(*times, "t", stamps)),
            (std::vector<OptInts>{{0, 1, 3}, {2, 4}}));

  std::vector<std::optional<std::string>> words = {"pear",       "",     "apple", "zoo",
                                                   std::nullopt, "kiwi", "日本"};
  std::vector<Scalar> word_bounds = {Scalar::String("b"), Scalar::String("m"), Scalar::String("q")};
  const std::vector<OptInts> expected_words = {{1, 2, 5}, {0, 3, 4, 6}};
  EXPECT_EQ(
      Rows(PartitionByBoundaries(*WithRowNumbers("w", MakeStringColumn(words)), "w", word_bounds)),
      expected_words);
  EXPECT_EQ(Rows(PartitionByBoundaries(*WithRowNumbers("w", MakeCategoricalColumn(words)), "w",
                                       *MakeStringColumn({"b", "m", "q"}))),
            expected_words);

  auto sliced = WithRowNumbers("x", MakeInt64Column({100, 1, 2, 3, 100}))->Slice(1, 3);
  EXPECT_EQ(Rows(PartitionByBoundaries(*sliced, "x", std::vector<int64_t>{0, 2, 4})),
            (std::vector<OptInts>{{1}, {2, 3}}));
  auto uints = WithRowNumbers("u", MakeColumn<uint64_t>(types::UInt64(), {~uint64_t{0}, 3}));
  EXPECT_EQ(Rows(PartitionByBoundaries(*uints, "u", std::vector<int64_t>{-5, 2, 4, 6})),
            (std::vector<OptInts>{{}, {1}, {0}}));
}

TEST(PartitionByBoundariesTest, RandomisedAgainstLinearScan) {
  std::mt19937_64 rng(9);
  std::vector<std::optional<int64_t>> keys;
  for (int i = 0; i < 4000; ++i) keys.push_back(int64_t(rng() % 1000) - 100);
  std::vector<int64_t> bounds = {0};
  while (bounds.back() < 800) bounds.push_back(bounds.back() + int64_t(rng() % 90));
  auto parts = PartitionByBoundaries(*WithRowNumbers("x", MakeInt64Column(keys)), "x", bounds);
  const size_t n = bounds.size() - 1;
  std::vector<OptInts> expected(n);
  for (size_t r = 0; r < keys.size(); ++r) {
    size_t p = 0;
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (bounds[i] <= *keys[r]) p = i;
    }
    expected[std::min(p, n - 1)].push_back(int64_t(r));
  }
  EXPECT_EQ(Rows(parts), expected);
}

TEST(PartitionByBoundariesTest, Errors) {
  auto table = WithRowNumbers("x", MakeInt64Column({1, 2}));
  EXPECT_THROW(PartitionByBoundaries(*table, "x", std::vector<int64_t>{1}), InvalidArgument);
  EXPECT_THROW(PartitionByBoundaries(*table, "x", std::vector<int64_t>{3, 1, 5}), InvalidArgument);
  EXPECT_THROW(PartitionByBoundaries(*table, "x", std::vector<double>{0, std::nan(""), 1}),
               InvalidArgument);
  EXPECT_THROW(PartitionByBoundaries(*table, "x", *MakeInt64Column({0, std::nullopt})),
               InvalidArgument);
  EXPECT_THROW(PartitionByBoundaries(*table, "x",
                                     std::vector<Scalar>{Scalar::String("a"), Scalar::String("b")}),
               TypeError);
  EXPECT_THROW(PartitionByBoundaries(*table, "missing", std::vector<int64_t>{0, 1}), KeyError);
  EXPECT_THROW(PartitionByIds(*table, std::vector<int32_t>{0, 2}, 2), InvalidArgument);
  EXPECT_THROW(PartitionByIds(*table, std::vector<int32_t>{0}, 2), InvalidArgument);
}

TEST(PartitionByIdsTest, SingleTargetSharesInput) {
  auto table = WithRowNumbers("x", MakeInt64Column({1, 2, 3}));
  auto parts = PartitionByIds(*table, std::vector<int32_t>{1, 1, 1}, 3);
  EXPECT_EQ(parts[0]->num_rows(), 0);
  EXPECT_EQ(parts[2]->num_rows(), 0);
  EXPECT_EQ(parts[1]->column("x"), table->column("x"));
}

TEST(PartitionByIdsTest, EmptyPiecesHoldNoMemoryOfTheInput) {
  // Empty pieces wait (spilled or not) until their reader runs; they must not keep the input
  // alive, since they count as zero bytes.
  const int64_t before = memory::DefaultMemoryPool()->bytes_allocated();
  std::vector<std::optional<int64_t>> values(200000, 7);
  auto table = WithRowNumbers("x", MakeInt64Column(values));
  auto parts = PartitionByIds(*table, std::vector<int32_t>(values.size(), 1), 3);
  ASSERT_GT(memory::DefaultMemoryPool()->bytes_allocated() - before, int64_t(values.size() * 2 * sizeof(int64_t)) - 1);
  table.reset();
  parts[1].reset();
  EXPECT_EQ(parts[0]->num_rows(), 0);
  EXPECT_EQ(parts[2]->num_rows(), 0);
  EXPECT_EQ(parts[0]->schema(), parts[2]->schema());
  EXPECT_LT(memory::DefaultMemoryPool()->bytes_allocated() - before, int64_t(4096));
}

}  // namespace
}  // namespace tessera::compute
