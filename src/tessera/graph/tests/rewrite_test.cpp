// Cull and linear-chain fusion: the rewritten graphs compute the same results with fewer tasks.
#include <gtest/gtest.h>

#include "tessera/base/error.hpp"
#include "tessera/graph/cull.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/graph/fuse.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"

namespace tessera::graph {
namespace {

int64_t AsInt(const ValuePtr& v) { return dynamic_cast<const Int64Value&>(*v).value(); }

TEST(CullTest, KeepsOnlyWhatTheKeysNeed) {
  Key root;
  Graph graph = testing::MapReduce(10, &root);
  const Key map3 = Key::Make("map", 3);
  Graph culled = Cull(graph, {map3});
  EXPECT_EQ(culled.num_tasks(), 2u);
  EXPECT_TRUE(culled.Find(Key::Make("load", 3)).has_value());
  EXPECT_FALSE(culled.Find(Key::Make("load", 4)).has_value());
  EXPECT_EQ(AsInt(EvaluateSequential(culled, {map3}).values[0]), AsInt(EvaluateSequential(graph, {map3}).values[0]));
  Graph whole = Cull(graph, {root});
  EXPECT_EQ(whole.num_tasks(), graph.num_tasks());
  EXPECT_THROW(Cull(graph, {Key::Make("nope")}), KeyError);
}

TEST(FuseTest, FusesLinearChainsAndKeepsResults) {
  Key root;
  Graph graph = testing::Chains(5, 20, &root);
  Graph fused = FuseLinearChains(graph, {root});
  // Each chain becomes one task; the final task stays.
  EXPECT_EQ(fused.num_tasks(), 6u);
  EXPECT_TRUE(fused.Find(Key::Make("chain-2", 19)).has_value());
  EXPECT_EQ(AsInt(EvaluateSequential(fused, {root}).values[0]), AsInt(EvaluateSequential(graph, {root}).values[0]));
}

TEST(FuseTest, MapAfterLoadFusesButFanInDoesNot) {
  Key root;
  Graph graph = testing::MapReduce(8, &root);
  Graph fused = FuseLinearChains(graph, {root});
  EXPECT_EQ(fused.num_tasks(), 9u);  // load+map fused per partition, reduce kept
  EXPECT_EQ(AsInt(EvaluateSequential(fused, {root}).values[0]), AsInt(EvaluateSequential(graph, {root}).values[0]));
  // A requested intermediate is never fused away.
  Graph kept = FuseLinearChains(graph, {root, Key::Make("load", 2)});
  EXPECT_TRUE(kept.Find(Key::Make("load", 2)).has_value());
  EXPECT_EQ(kept.num_tasks(), 10u);
}

TEST(FuseTest, RandomGraphsGiveTheSameResults) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<Key> outputs;
    Graph graph = testing::RandomDag(rng, 100, 2, &outputs);
    Graph fused = FuseLinearChains(graph, outputs);
    EXPECT_LE(fused.num_tasks(), graph.num_tasks());
    const auto expected = EvaluateSequential(graph, outputs);
    const auto actual = EvaluateSequential(fused, outputs);
    for (size_t i = 0; i < outputs.size(); ++i) EXPECT_EQ(AsInt(actual.values[i]), AsInt(expected.values[i]));
  }
}

}  // namespace
}  // namespace tessera::graph
