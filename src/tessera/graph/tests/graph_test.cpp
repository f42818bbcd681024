// Keys, values, graph construction, validation errors and static ordering.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tessera/base/error.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"

namespace tessera::graph {
namespace {

TEST(KeyTest, InternsOnceAndPrints) {
  const Key a = Key::Make("add-3f2a9c", 4);
  const Key b = Key::Make("add-3f2a9c", 4);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.ToString(), "('add-3f2a9c', 4)");
  EXPECT_EQ(Key::Make("total").ToString(), "'total'");
  EXPECT_EQ(a.Prefix(), "add");
  EXPECT_EQ(Key::Make("read-csv").Prefix(), "read-csv");
  EXPECT_EQ(sizeof(Key), 16u);
  EXPECT_NE(HashKey(Key(a.name, 1)), HashKey(Key(a.name, 2)));
}

TEST(ValueTest, ScalarsRoundTripThroughTaggedBytes) {
  for (const ValuePtr& v : {MakeInt64(-5), MakeInt64(1 << 20), MakeDouble(2.5), MakeBool(true),
                            MakeString("héllo"), None()}) {
    std::string bytes;
    SerializeTagged(*v, &bytes);
    ValuePtr back = DeserializeTagged(bytes);
    EXPECT_EQ(back->ToString(), v->ToString());
    EXPECT_EQ(back->type_name(), v->type_name());
  }
  EXPECT_THROW(DeserializeTagged("\x05\x00\x00\x00nope!"), IOError);
  EXPECT_THROW(DeserializeTagged("xy"), IOError);
}

ValuePtr AddTwo(const TaskInputs& in) { return MakeInt64(in.Int64(0) + in.Int64(1)); }

TEST(GraphTest, BuildsDependenciesAndEvaluates) {
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  // Referenced before it is added: references are resolved by Finalize.
  graph.AddTask(Key::Make("z"), add, {Arg::Ref(Key::Make("x")), Arg::Ref(Key::Make("x"))});
  graph.AddTask(Key::Make("x"), add, {Arg::Int64(1), Arg::Int64(2)});
  graph.Finalize();
  EXPECT_EQ(graph.num_tasks(), 2u);
  const TaskId z = graph.At(Key::Make("z")), x = graph.At(Key::Make("x"));
  ASSERT_EQ(graph.dependencies(z).size(), 1u);  // add(x, x) depends on x once
  EXPECT_EQ(graph.dependencies(z)[0], x);
  ASSERT_EQ(graph.dependents(x).size(), 1u);
  EXPECT_LT(graph.priority(x), graph.priority(z));
  const auto result = EvaluateSequential(graph, {Key::Make("z")});
  EXPECT_EQ(dynamic_cast<const Int64Value&>(*result.values[0]).value(), 6);
}

ValuePtr Scale(const TaskInputs& in) {
  // Parameters are the task's serialisable configuration, here a decimal factor.
  return MakeInt64(in.Int64(0) * std::stoll(std::string(in.params())));
}

class Negate final : public Closure {
 public:
  ValuePtr Call(const TaskInputs& in) const override { return MakeInt64(-in.Int64(0)); }
  std::string_view name() const override { return "negate"; }
};

TEST(GraphTest, ParametersClosuresAndTheRegistry) {
  Graph graph;
  const Operation* scale = RegisterOperation("test.scale", &Scale);
  EXPECT_EQ(RegisterOperation("test.scale", &Scale), scale);  // idempotent
  EXPECT_THROW(RegisterOperation("test.scale", &AddTwo), InvalidArgument);
  EXPECT_EQ(FindOperation("test.scale"), scale);
  EXPECT_THROW(FindOperation("test.nope"), KeyError);
  const uint32_t scale_fn = graph.AddOperation(scale);
  const Arg x[] = {Arg::Int64(7)};
  graph.AddTask(Key::Make("scaled"), scale_fn, x, "6");
  EXPECT_FALSE(graph.needs_same_process());
  const uint32_t negate = graph.AddClosure(std::make_shared<Negate>());
  graph.AddTask(Key::Make("negated"), negate, {Arg::Ref(Key::Make("scaled"))});
  graph.Finalize();
  EXPECT_TRUE(graph.needs_same_process());
  EXPECT_EQ(graph.params(graph.At(Key::Make("scaled"))), "6");
  EXPECT_EQ(graph.function(graph.At(Key::Make("negated"))).name(), "negate");
  const auto result = EvaluateSequential(graph, {Key::Make("negated")});
  EXPECT_EQ(dynamic_cast<const Int64Value&>(*result.values[0]).value(), -42);
}

TEST(GraphTest, RejectsDuplicateKeys) {
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  graph.AddTask(Key::Make("x", 1), add, {Arg::Int64(1), Arg::Int64(2)});
  try {
    graph.AddTask(Key::Make("x", 1), add, {Arg::Int64(1), Arg::Int64(2)});
    FAIL() << "duplicate accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("('x', 1)"), std::string::npos) << e.what();
  }
}

TEST(GraphTest, MissingDependencyNamesBothKeys) {
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  graph.AddTask(Key::Make("sum", 0), add, {Arg::Ref(Key::Make("part", 3)), Arg::Int64(1)});
  try {
    graph.Finalize();
    FAIL() << "missing dependency accepted";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("('sum', 0)"), std::string::npos) << message;
    EXPECT_NE(message.find("('part', 3)"), std::string::npos) << message;
  }
}

TEST(GraphTest, ExternalKeysAreAcceptedWhenTheResolverHoldsThem) {
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  graph.AddTask(Key::Make("sum", 0), add, {Arg::Ref(Key::Make("persisted", 3)), Arg::Int64(1)});
  graph.Finalize([](const Key& key) { return key == Key::Make("persisted", 3); });
  ASSERT_EQ(graph.external_keys().size(), 1u);
  EXPECT_EQ(graph.args(0)[0].kind, ArgKind::kExternal);
  EXPECT_EQ(graph.external_dependencies(0).size(), 1u);
  EXPECT_TRUE(graph.dependencies(0).empty());
}

TEST(GraphTest, CycleErrorListsTheKeysOnIt) {
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  graph.AddTask(Key::Make("root"), add, {Arg::Int64(1), Arg::Int64(1)});
  graph.AddTask(Key::Make("a"), add, {Arg::Ref(Key::Make("c")), Arg::Ref(Key::Make("root"))});
  graph.AddTask(Key::Make("b"), add, {Arg::Ref(Key::Make("a")), Arg::Int64(1)});
  graph.AddTask(Key::Make("c"), add, {Arg::Ref(Key::Make("b")), Arg::Int64(1)});
  try {
    graph.Finalize();
    FAIL() << "cycle accepted";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cycle"), std::string::npos) << message;
    for (const char* key : {"'a'", "'b'", "'c'"}) EXPECT_NE(message.find(key), std::string::npos) << message;
    EXPECT_EQ(message.find("'root'"), std::string::npos) << message;
  }
}

TEST(GraphTest, KeyIndexFindsEveryKeyWhateverTheirShape) {
  // Plain names, single partitions, long partition ranges and random indices in one graph.
  Graph graph;
  const uint32_t add = graph.AddOperation(RegisterOperation("test.add", &AddTwo));
  std::vector<Key> keys;
  for (int i = 0; i < 300; ++i) keys.push_back(Key::Make("plain-" + std::to_string(i)));
  for (int i = 0; i < 300; ++i) keys.push_back(Key::Make("single-" + std::to_string(i), 0));
  for (int i = 0; i < 5000; ++i) keys.push_back(Key::Make("range", i));
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) keys.push_back(Key::Make("random", int64_t(rng() >> 1)));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    graph.AddTask(keys[i], add, {Arg::Int64(1), Arg::Int64(2)});
    // Every key added so far stays findable while the index grows.
    if (i % 997 == 0) {
      for (size_t j = 0; j <= i; ++j) ASSERT_EQ(graph.Find(keys[j]), std::optional<TaskId>(TaskId(j)));
    }
  }
  for (size_t j = 0; j < keys.size(); ++j) ASSERT_EQ(graph.Find(keys[j]), std::optional<TaskId>(TaskId(j)));
  EXPECT_FALSE(graph.Find(Key::Make("range", 5000)).has_value());
  EXPECT_FALSE(graph.Find(Key::Make("plain-300")).has_value());
}

TEST(GraphTest, TasksAreSmall) {
  Key root;
  Graph graph = testing::TreeReduction(1 << 16, &root);
  const double per_task = double(graph.nbytes()) / double(graph.num_tasks());
  EXPECT_LT(per_task, 200.0);
}

TEST(OrderTest, PrioritiesAreATopologicalOrder) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<Key> outputs;
    Graph graph = testing::RandomDag(rng, 200, 4, &outputs);
    std::vector<uint8_t> seen(graph.num_tasks(), 0);
    for (TaskId t = 0; t < graph.num_tasks(); ++t) {
      ASSERT_LT(graph.priority(t), graph.num_tasks());
      ASSERT_FALSE(seen[graph.priority(t)]);
      seen[graph.priority(t)] = 1;
      for (TaskId d : graph.dependencies(t)) ASSERT_LT(graph.priority(d), graph.priority(t));
    }
  }
}

// Peak results held by a sequential run in priority order, on the standard shapes.
TEST(OrderTest, TreeReductionHoldsLogarithmicallyMany) {
  for (int64_t leaves : {1, 2, 3, 100, 1000, 4096, 10001}) {
    Key root;
    Graph graph = testing::TreeReduction(leaves, &root);
    const auto result = EvaluateSequential(graph, {root});
    const size_t log2 = size_t(std::ceil(std::log2(double(leaves) + 1)));
    EXPECT_LE(result.peak_results_held, log2 + 2) << leaves << " leaves";
  }
}

TEST(OrderTest, MapReduceAndChainsFreeAsTheyGo) {
  Key root;
  Graph map_reduce = testing::MapReduce(1000, &root);
  // Each load is freed right after its map: about one map result per partition plus one.
  EXPECT_LE(EvaluateSequential(map_reduce, {root}).peak_results_held, 1000u + 2u);
  Graph chains = testing::Chains(50, 100, &root);
  // One chain at a time: the finished ends plus two links of the running chain.
  EXPECT_LE(EvaluateSequential(chains, {root}).peak_results_held, 50u + 2u);
  Graph all_to_all = testing::AllToAll(64, &root);
  EXPECT_LE(EvaluateSequential(all_to_all, {root}).peak_results_held, 2u * 64u + 1u);
}

}  // namespace
}  // namespace tessera::graph
