// Graphs through bytes: operations with shared and per-task parameters, literals, closures with
// and without a data form.
#include <gtest/gtest.h>

#include "tessera/base/error.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/graph/serialize.hpp"

namespace tessera::graph {
namespace {

// Sum of the arguments times the factor in the parameters (decimal text).
ValuePtr ScaledSum(const TaskInputs& in) {
  int64_t total = 0;
  for (size_t i = 0; i < in.size(); ++i) total += in.Int64(i);
  return MakeInt64(total * std::stoll(std::string(in.params())));
}

class TimesTwo final : public Closure {
 public:
  explicit TimesTwo(bool portable) : portable_(portable) {}
  ValuePtr Call(const TaskInputs& in) const override { return MakeInt64(2 * in.Int64(0)); }
  std::string_view name() const override { return "times-two"; }
  const Operation* operation() const override {
    return portable_ ? RegisterOperation("test.scaled_sum", &ScaledSum) : nullptr;
  }
  std::string SerializeParams() const override { return "2"; }

 private:
  bool portable_;
};

int64_t Evaluate(const Graph& graph, const Key& key) {
  return dynamic_cast<const Int64Value&>(*EvaluateSequential(graph, {key}).values[0]).value();
}

TEST(SerializeGraphTest, RoundTripGivesTheSameResults) {
  const Operation* op = RegisterOperation("test.scaled_sum", &ScaledSum);
  Graph graph;
  const uint32_t times3 = graph.AddOperation(op, "3");
  const uint32_t times5 = graph.AddOperation(op, "5");
  const uint32_t doubled = graph.AddClosure(std::make_shared<TimesTwo>(true));
  graph.AddTask(Key::Make("a", 0), times3, {Arg::Int64(1), graph.AddLiteral(MakeInt64(10))});  // 33
  graph.AddTask(Key::Make("a", 1), times5, {Arg::Ref(Key::Make("a", 0)), Arg::Int64(2)});  // 175
  graph.AddTask(Key::Make("b"), doubled, {Arg::Ref(Key::Make("a", 1))});  // 350
  const std::vector<Arg> c_args{Arg::Ref(Key::Make("b"))};
  graph.AddTask(Key::Make("c"), times3, c_args, "7");  // own params win: 2450
  const std::string bytes = SerializeGraph(graph);
  Graph copy = DeserializeGraph(bytes);
  graph.Finalize();
  copy.Finalize();
  EXPECT_EQ(copy.num_tasks(), graph.num_tasks());
  EXPECT_FALSE(copy.needs_same_process());
  for (const Key& key : {Key::Make("a", 1), Key::Make("b"), Key::Make("c")}) {
    EXPECT_EQ(Evaluate(copy, key), Evaluate(graph, key)) << key.ToString();
  }
  EXPECT_EQ(Evaluate(copy, Key::Make("c")), 2450);
  // A finalized graph serialises to the same tasks.
  Graph again = DeserializeGraph(SerializeGraph(graph));
  again.Finalize();
  EXPECT_EQ(Evaluate(again, Key::Make("c")), 2450);
}

TEST(SerializeGraphTest, ClosuresWithoutADataFormAndBadBytesAreClearErrors) {
  Graph graph;
  graph.AddTask(Key::Make("x"), graph.AddClosure(std::make_shared<TimesTwo>(false)), {Arg::Int64(1)});
  EXPECT_TRUE(graph.needs_same_process());
  try {
    SerializeGraph(graph);
    FAIL() << "expected NotImplemented";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("times-two"), std::string::npos);
  }
  EXPECT_THROW(DeserializeGraph("nope"), IOError);
  Graph portable;
  portable.AddTask(Key::Make("y"), portable.AddOperation(RegisterOperation("test.scaled_sum", &ScaledSum), "1"),
                   {Arg::Int64(4)});
  const std::string bytes = SerializeGraph(portable);
  EXPECT_THROW(DeserializeGraph(bytes.substr(0, bytes.size() - 3)), IOError);
}

}  // namespace
}  // namespace tessera::graph
