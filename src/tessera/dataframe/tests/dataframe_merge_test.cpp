// merge and join over many partitionings (broadcast, aligned and shuffle plans), against the join
// kernel on the whole tables. Rows are compared after sorting by the row ids each side carries,
// since a distributed join orders rows per output partition.
#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/join.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/expr/merge_node.hpp"

namespace tessera::dataframe {
namespace {

using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;

// Row ids li / ri identify the rows of each side.
TablePtr WithRowIds(const TablePtr& table, const std::string& name, uint64_t seed) {
  FixedWidthBuilder<int64_t> ids(types::Int64(), table->num_rows());
  for (int64_t i = 0; i < table->num_rows(); ++i) ids.Append(int64_t(seed) * 100000 + i);
  return table->SetColumn(name, ids.Finish());
}

TablePtr Canonical(const TablePtr& table) {
  std::vector<compute::SortKey> keys;
  for (const auto& name : {"li", "ri", "li_x", "li_y"}) {
    if (table->schema().FieldIndex(name) >= 0) keys.push_back({name, true});
  }
  return compute::SortTable(*table, keys);
}

class MergeTest : public FrameTest {
 protected:
  TablePtr left_ = WithRowIds(RandomTable(120, 31)->SelectColumns({"k", "g", "x", "n"}), "li", 1);
  TablePtr right_ = WithRowIds(RandomTable(40, 32)->SelectColumns({"k", "x", "s"}), "ri", 2);
};

TEST_F(MergeTest, EveryJoinTypeMatchesTheKernelOnTheWholeTables) {
  for (const std::string how : {"inner", "left", "right", "outer"}) {
    compute::JoinOptions join;
    join.how = how == "inner" ? compute::JoinType::kInner : how == "left" ? compute::JoinType::kLeft
             : how == "right" ? compute::JoinType::kRight : compute::JoinType::kOuter;
    join.left_on = join.right_on = {"k"};
    const TablePtr expected = Canonical(compute::Join(*left_, *right_, join));
    for (const auto& left_parts : Partitionings(left_)) {
      for (const auto& right_parts : {std::vector<TablePtr>{right_}, Partitionings(right_)[1]}) {
        SCOPED_TRACE(how + ": " + std::to_string(left_parts.size()) + " x " + std::to_string(right_parts.size()));
        MergeOptions options;
        options.how = how;
        options.on = {"k"};
        const DataFrame merged = from_tables(left_parts).merge(from_tables(right_parts), options);
        EXPECT_TABLES_NEAR(Canonical(merged.compute(scheduler_)), expected);
      }
    }
  }
}

TEST_F(MergeTest, PlansFollowTheShapeOfTheInputs) {
  MergeOptions options;
  options.on = {"k"};
  const DataFrame many = from_tables(Partitionings(left_)[1]);
  const auto plan = [](const DataFrame& frame) {
    return static_cast<const expr::MergeNode&>(*frame.node()).plan();
  };
  EXPECT_EQ(plan(many.merge(from_tables({right_}), options)), expr::MergeNode::Plan::kBroadcastRight);
  EXPECT_EQ(plan(from_tables({right_}).merge(many, options)), expr::MergeNode::Plan::kBroadcastLeft);
  EXPECT_EQ(plan(many.merge(from_tables(Partitionings(right_)[1]), options)), expr::MergeNode::Plan::kShuffle);
  options.how = "outer";
  EXPECT_EQ(plan(many.merge(from_tables({right_}), options)), expr::MergeNode::Plan::kShuffle);
}

TEST_F(MergeTest, DifferentKeyNamesAndNumericTypesShuffleTogether) {
  // Left key int64 "n", right key float64 "v" holding the same numbers.
  const TablePtr right = WithRowIds(Table::Make({"v", "w"}, {compute::Cast(*left_->column("n")->Slice(0, 30), types::Float64()),
                                                               left_->column("x")->Slice(0, 30)}),
                                    "ri", 3);
  compute::JoinOptions join;
  join.left_on = {"n"};
  join.right_on = {"v"};
  const TablePtr expected = Canonical(compute::Join(*left_, *right, join));
  for (const auto& left_parts : Partitionings(left_)) {
    MergeOptions options;
    options.left_on = {"n"};
    options.right_on = {"v"};
    const DataFrame merged = from_tables(left_parts).merge(from_tables(Partitionings(right)[1]), options);
    EXPECT_TABLES_NEAR(Canonical(merged.compute(scheduler_)), expected);
  }
}

TEST_F(MergeTest, IndexJoinsAlignOnEqualDivisions) {
  const TablePtr left = RandomTable(100, 33, true)->SelectColumns({"x", "n"});
  const TablePtr right = RandomTable(100, 34, true)->SelectColumns({"x", "s"});
  const DataFrame a = from_table(left, 4), b = from_table(right, 4);
  const DataFrame joined = a.join(b, "inner", "_l", "_r");
  EXPECT_EQ(static_cast<const expr::MergeNode&>(*joined.node()).plan(), expr::MergeNode::Plan::kAligned);
  EXPECT_TRUE(joined.known_divisions());
  compute::JoinOptions join;
  join.left_index = join.right_index = true;
  join.suffixes = {"_l", "_r"};
  EXPECT_TABLES_NEAR(joined.compute(scheduler_), compute::Join(*left, *right, join));
}

TEST_F(MergeTest, BadOptionsGiveClearErrors) {
  const DataFrame a = from_tables({left_}), b = from_tables({right_});
  MergeOptions options;
  options.how = "cross";
  EXPECT_THROW(a.merge(b, options), InvalidArgument);
  options.how = "inner";
  options.on = {"nope"};
  EXPECT_THROW(a.merge(b, options), KeyError);
  options.on = {"g"};  // string key against nothing on the right
  EXPECT_THROW(a.merge(b, options), KeyError);
}

}  // namespace
}  // namespace tessera::dataframe
