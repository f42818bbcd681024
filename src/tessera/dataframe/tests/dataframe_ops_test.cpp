// Column operations of the lazy DataFrame and Series (selection, assignment, arithmetic,
// comparison, filters, missing values, accessors) over many partitionings, compared with the
// kernels applied to the whole table.
#include <algorithm>
#include <cmath>

#include "tessera/base/error.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/boolean.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/string.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"

namespace tessera::dataframe {
namespace {

using compute::Scalar;
using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;

class DataFrameOpsTest : public FrameTest {
 protected:
  // Runs `lazy` over every partitioning of `table` and compares with `expected`.
  void ExpectEverywhere(const TablePtr& table, const std::function<TablePtr(const DataFrame&)>& lazy,
                        const TablePtr& expected) {
    for (const auto& parts : Partitionings(table)) {
      SCOPED_TRACE(std::to_string(parts.size()) + " partitions");
      EXPECT_TABLES_NEAR(lazy(from_tables(parts)), expected);
    }
  }
  TablePtr table_ = RandomTable(300, 7, true);
};

TEST_F(DataFrameOpsTest, SelectAssignDropRename) {
  const Table& t = *table_;
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df[std::vector<std::string>{"x", "k"}].compute(scheduler_); },
                   t.SelectColumns({"x", "k"}));
  const ColumnPtr y = compute::Add(*compute::Multiply(*t.column("n"), Scalar::Int64(2)), *t.column("x"));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.assign("y", df["n"] * 2 + df["x"]).compute(scheduler_); },
                   t.SetColumn("y", y));
  // Replacing keeps the column's position; a constant is broadcast.
  FixedWidthBuilder<int64_t> fives(types::Int64(), t.num_rows());
  for (int64_t i = 0; i < t.num_rows(); ++i) fives.Append(5);
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.assign("n", Literal(int64_t(5))).compute(scheduler_); },
                   t.SetColumn("n", fives.Finish()));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.drop({"s", "z"}).compute(scheduler_); },
                   t.DropColumn("s")->DropColumn("z"));
  std::vector<std::string> names = t.column_names();
  for (auto& name : names) name = name == "x" ? "value" : name;
  const TablePtr renamed = Table::Make(names, t.columns(), t.index(), t.index_name());
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.rename({{"x", "value"}}).compute(scheduler_); }, renamed);
}

TEST_F(DataFrameOpsTest, ArithmeticComparisonAndBooleanMasks) {
  const Table& t = *table_;
  const ColumnPtr ratio = compute::Divide(*t.column("x"), *t.column("n"));
  const ColumnPtr positive = compute::Greater(*t.column("x"), Scalar::Float64(0));
  const ColumnPtr mask = compute::And(*positive, *compute::Not(*t.column("b")));
  ExpectEverywhere(
      table_,
      [&](const DataFrame& df) { return (df["x"] / df["n"])[(df["x"] > 0) & ~df["b"]].compute(scheduler_); },
      Table::Make({"0"}, {compute::Filter(*ratio, *mask)}, compute::Filter(*t.index(), *mask), "i"));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df[df["k"] == 3].compute(scheduler_); },
                   compute::Filter(t, *compute::Equal(*t.column("k"), Scalar::Int64(3))));
  // Literal on the left: 100 - n, 1 / x.
  ExpectEverywhere(table_, [&](const DataFrame& df) { return (100 - df["n"]).compute(scheduler_); },
                   Table::Make({"n"}, {compute::Subtract(Scalar::Int64(100), *t.column("n"))}, t.index(), "i"));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return floordiv(df["n"], 7).rename("q").compute(scheduler_); },
                   Table::Make({"q"}, {compute::FloorDivide(*t.column("n"), Scalar::Int64(7))}, t.index(), "i"));
}

TEST_F(DataFrameOpsTest, MissingValues) {
  const Table& t = *table_;
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df["x"].isnull().compute(scheduler_); },
                   Table::Make({"x"}, {compute::IsNull(*t.column("x"))}, t.index(), "i"));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df["x"].fillna(-1.0).compute(scheduler_); },
                   Table::Make({"x"}, {compute::FillNull(*t.column("x"), Scalar::Float64(-1))}, t.index(), "i"));
  const ColumnPtr keep = compute::DropNullMask({t.column("k"), t.column("x")}, "any");
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.dropna("any", {"k", "x"}).compute(scheduler_); },
                   compute::Filter(t, *keep));
  const ColumnPtr keep_all = compute::DropNullMask({t.column("k"), t.column("g")}, "all");
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.dropna("all", {"k", "g"}).compute(scheduler_); },
                   compute::Filter(t, *keep_all));
  // The all-null column: every row goes with how="any".
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df.dropna().compute(scheduler_); }, t.Slice(0, 0));
  const ColumnPtr positive = compute::Greater(*t.column("x"), Scalar::Float64(0));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df["x"].where(df["x"] > 0, 0.0).compute(scheduler_); },
                   Table::Make({"x"}, {compute::Where(*positive, *t.column("x"), Scalar::Float64(0))}, t.index(), "i"));
  ExpectEverywhere(table_, [&](const DataFrame& df) { return df["x"].mask(df["x"] > 0).compute(scheduler_); },
                   Table::Make({"x"}, {compute::Where(*compute::Not(*positive), *t.column("x"), Scalar::Null(types::Float64()))},
                               t.index(), "i"));
}

TEST_F(DataFrameOpsTest, ElementwiseFunctions) {
  const Table& t = *table_;
  auto expect_series = [&](const std::function<Series(const DataFrame&)>& lazy, const std::string& name, ColumnPtr column) {
    ExpectEverywhere(table_, [&](const DataFrame& df) { return lazy(df).compute(scheduler_); },
                     Table::Make({name}, {std::move(column)}, t.index(), "i"));
  };
  expect_series([](const DataFrame& df) { return df["n"].between(10, 20); }, "n",
                compute::Between(*t.column("n"), Scalar::Int64(10), Scalar::Int64(20)));
  expect_series([](const DataFrame& df) { return df["g"].isin({"a", "c"}); }, "g",
                compute::IsIn(*t.column("g"), {Scalar::String("a"), Scalar::String("c")}));
  expect_series([](const DataFrame& df) { return df["x"].clip(-5.0, 5.0); }, "x",
                compute::Clip(*t.column("x"), Scalar::Float64(-5), Scalar::Float64(5)));
  expect_series([](const DataFrame& df) { return (-df["x"]).abs().round(1); }, "x",
                compute::Round(*compute::Abs(*compute::Negate(*t.column("x"))), 1));
  expect_series([](const DataFrame& df) { return df["n"].astype("float32"); }, "n",
                compute::Cast(*t.column("n"), types::Float32()));
  expect_series([](const DataFrame& df) { return df["t"].dt().hour(); }, "t", compute::Hour(*t.column("t")));
  expect_series([](const DataFrame& df) { return df["t"].dt().dayofweek(); }, "t", compute::DayOfWeek(*t.column("t")));
  expect_series([](const DataFrame& df) { return df["t"].dt().floor("15min"); }, "t", compute::Floor(*t.column("t"), "15min"));
  expect_series([](const DataFrame& df) { return df["t"].dt().normalize(); }, "t", compute::Normalize(*t.column("t")));
  expect_series([](const DataFrame& df) { return df["s"].str().upper(); }, "s", compute::Upper(*t.column("s")));
  expect_series([](const DataFrame& df) { return df["s"].str().strip().str().len(); }, "s",
                compute::Length(*compute::Strip(*t.column("s"))));
  expect_series([](const DataFrame& df) { return df["s"].str().contains("an", false); }, "s",
                compute::Contains(*t.column("s"), "an", false));
  expect_series([](const DataFrame& df) { return df["s"].str().slice(1, -1); }, "s",
                compute::Slice(*t.column("s"), 1, -1));
  expect_series([](const DataFrame& df) { return df["s"].str().replace("a", "o"); }, "s",
                compute::Replace(*t.column("s"), "a", "o"));
}

TEST_F(DataFrameOpsTest, SeriesOfProjectedFramesAlign) {
  // A Series of df and one of df.assign(...) combine row by row.
  const DataFrame df = from_tables(Partitionings(table_)[2]);
  const DataFrame more = df.assign("y", df["n"] + 1);
  const TablePtr result = (more["y"] - df["n"]).rename("d").compute(scheduler_);
  ASSERT_EQ(result->num_rows(), table_->num_rows());
  for (int64_t i = 0; i < result->num_rows(); ++i) EXPECT_EQ(result->column("d")->values<int64_t>()[i], 1);
  // Filtering a projection by a mask of the original frame.
  const TablePtr filtered = df[std::vector<std::string>{"x"}][df["n"] < 10].compute(scheduler_);
  const ColumnPtr mask = compute::Less(*table_->column("n"), Scalar::Int64(10));
  EXPECT_TABLES_NEAR(filtered, compute::Filter(*table_->SelectColumns({"x"}), *mask));
  // Rows of a filtered frame cannot align with the unfiltered one.
  const DataFrame small = df[df["n"] < 10];
  EXPECT_TABLES_NEAR((small["x"] + df["x"]).rename("x").compute(scheduler_),
                     Table::Make({"x"}, {compute::Filter(*compute::Add(*table_->column("x"), *table_->column("x")), *mask)},
                                 compute::Filter(*table_->index(), *mask), "i"));
  // Columns of two sibling projections of one frame (df.assign(a) and df.assign(b)) combine.
  const DataFrame plus = df.assign("x", df["n"] + 1);
  const DataFrame minus = df.assign("x", df["n"] - 1);
  const TablePtr sum = (plus["x"] + minus["x"]).rename("s").compute(scheduler_);
  ASSERT_EQ(sum->num_rows(), table_->num_rows());
  for (int64_t i = 0; i < sum->num_rows(); ++i) {
    EXPECT_EQ(sum->column("s")->values<int64_t>()[i], 2 * table_->column("n")->values<int64_t>()[i]);
  }
  // Frames with unrelated rows (two sources) do not align.
  const DataFrame other = from_tables({table_});
  EXPECT_THROW(df["x"] + other["x"], InvalidArgument);
}

TEST_F(DataFrameOpsTest, LazyScalarsOnEveryRow) {
  // s - s.mean(), frames filtered by a reduction, and columns assigned from them, in one graph,
  // against a reference loop over the whole table (x has NaNs, which reductions skip).
  const Table& t = *table_;
  const auto* x = t.column("x")->values<double>();
  const auto* n = t.column("n")->values<int64_t>();
  double sum = 0, high = -1e300;
  int64_t count = 0, n_low = n[0];
  for (int64_t i = 0; i < t.num_rows(); ++i) {
    n_low = std::min(n_low, n[i]);
    if (std::isnan(x[i])) continue;
    sum += x[i];
    high = std::max(high, x[i]);
    ++count;
  }
  const double mean = sum / double(count);
  const auto expect_values = [&](const TablePtr& result, const std::string& column, auto expected) {
    ASSERT_EQ(result->num_rows(), t.num_rows());
    const auto* got = result->column(column)->values<double>();
    for (int64_t i = 0; i < t.num_rows(); ++i) {
      if (std::isnan(x[i])) EXPECT_TRUE(std::isnan(got[i])) << i;
      else EXPECT_NEAR(got[i], expected(i), 1e-9) << i;
    }
  };
  for (const auto& parts : Partitionings(table_)) {
    SCOPED_TRACE(std::to_string(parts.size()) + " partitions");
    const DataFrame df = from_tables(parts);
    expect_values(((df["x"] - df["x"].mean()) / df["x"].max()).rename("c").compute(scheduler_), "c",
                  [&](int64_t i) { return (x[i] - mean) / high; });
    // The same lazy value used twice in one expression.
    expect_values(((df["x"] - df["x"].mean()) / df["x"].mean()).rename("r").compute(scheduler_), "r",
                  [&](int64_t i) { return (x[i] - mean) / mean; });
    expect_values(df.assign("d", df["x"] - df["x"].mean()).compute(scheduler_), "d",
                  [&](int64_t i) { return x[i] - mean; });
    // Two Series, each with its own lazy value, over one frame.
    expect_values(((df["x"] - df["x"].mean()) * (df["n"] - df["n"].min())).rename("p").compute(scheduler_), "p",
                  [&](int64_t i) { return (x[i] - mean) * double(n[i] - n_low); });
    EXPECT_TABLES_NEAR(df[df["x"] > df["x"].mean()].compute(scheduler_),
                       compute::Filter(t, *compute::Greater(*t.column("x"), Scalar::Float64(mean))));
  }
}

TEST_F(DataFrameOpsTest, BadInputGivesClearErrors) {
  const DataFrame df = from_tables({table_});
  EXPECT_THROW(df["missing"], KeyError);
  EXPECT_THROW((df[std::vector<std::string>{"x", "nope"}]), KeyError);
  EXPECT_THROW(df[df["x"] + 1], TypeError);          // not a bool condition
  EXPECT_THROW(df["s"] + 1, TypeError);               // string + int, caught when the node is built
  EXPECT_THROW(df["n"].astype("int65"), TypeError);
  EXPECT_THROW(df.dropna("some"), InvalidArgument);
  // A map_partitions result that does not match its meta names both schemas.
  const DataFrame wrong = df.map_partitions([](const TablePtr& t) { return t->DropColumn("x"); }, df.meta());
  try {
    wrong.compute(scheduler_);
    FAIL() << "expected a TypeError";
  } catch (const TypeError& error) {
    EXPECT_NE(std::string(error.what()).find("meta"), std::string::npos) << error.what();
  }
  // The engine stays usable after an error.
  EXPECT_EQ(df.len(scheduler_), table_->num_rows());
}

}  // namespace
}  // namespace tessera::dataframe
