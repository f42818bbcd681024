// delayed: values, keys (pure vs impure), shared work computed once, nested containers, nout,
// persist, errors, and tables spilled through the table format.
#include <gtest/gtest.h>

#include <atomic>

#include "tessera/delayed/delayed.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera {
namespace {

std::atomic<int> inc_calls{0};
int64_t Inc(int64_t x) {
  inc_calls++;
  return x + 1;
}
int64_t Add(int64_t a, int64_t b) { return a + b; }

class DelayedTest : public ::testing::Test {
 protected:
  sched::LocalScheduler scheduler_{{2, {}}};
};

TEST_F(DelayedTest, ComputesTheIssueExample) {
  auto x = delayed(Inc)(1);
  auto y = delayed(Inc)(2);
  auto z = delayed(Add)(x, y);
  EXPECT_EQ(z.compute(scheduler_), 5);
  auto lambda = delayed([](double a, const std::string& s) { return s + std::to_string(int(a * 2)); });
  EXPECT_EQ(lambda(1.5, "n=").compute(scheduler_), "n=3");
}

TEST_F(DelayedTest, PureCallsShareKeysAndRunOnce) {
  auto pure_inc = delayed(Inc, {.pure = true, .name = "inc", .nout = 0});
  auto a = pure_inc(10);
  auto b = pure_inc(10);
  auto c = pure_inc(11);
  EXPECT_EQ(a.key(), b.key());
  EXPECT_NE(a.key(), c.key());
  EXPECT_EQ(a.key().Prefix(), "inc");
  inc_calls = 0;
  auto total = delayed(Add)(a, b);
  EXPECT_EQ(total.compute(scheduler_), 22);
  EXPECT_EQ(inc_calls.load(), 1);  // a and b are one task
  // compute_on(scheduler, a, b, ...) shares the work between its arguments too.
  inc_calls = 0;
  auto [p, q] = compute_on(scheduler_, delayed(Add)(a, c), delayed(Add)(b, c));
  EXPECT_EQ(p, 23);
  EXPECT_EQ(q, 23);
  EXPECT_EQ(inc_calls.load(), 2);
}

TEST_F(DelayedTest, ImpureCallsGetUniqueKeys) {
  auto impure = delayed(Inc);
  EXPECT_NE(impure(10).key(), impure(10).key());
  inc_calls = 0;
  EXPECT_EQ(delayed(Add)(impure(1), impure(1)).compute(scheduler_), 4);
  EXPECT_EQ(inc_calls.load(), 2);
}

TEST_F(DelayedTest, NestedContainersOfDelayedValues) {
  std::vector<Delayed<int64_t>> parts;
  for (int64_t i = 0; i < 10; ++i) parts.push_back(delayed(Inc)(i));
  auto sum = delayed([](const std::vector<int64_t>& values) {
    int64_t total = 0;
    for (int64_t v : values) total += v;
    return total;
  })(parts);
  EXPECT_EQ(sum.compute(scheduler_), 55);

  std::vector<std::vector<Delayed<int64_t>>> grid{{parts[0], parts[1]}, {parts[2]}, {}};
  auto shape = delayed([](const std::vector<std::vector<int64_t>>& g, std::tuple<int64_t, std::string> extra) {
    return std::to_string(g.size()) + ":" + std::to_string(g[0][1] + g[1][0]) + ":" + std::get<1>(extra) +
           std::to_string(std::get<0>(extra));
  })(grid, std::make_tuple(parts[9], std::string("x")));
  EXPECT_EQ(shape.compute(scheduler_), "3:5:x10");
  // Literal containers are passed whole.
  EXPECT_EQ(delayed([](const std::vector<int>& v) { return int64_t(v.size()); })(std::vector<int>{1, 2, 3}).compute(scheduler_), 3);
}

TEST_F(DelayedTest, MultipleOutputs) {
  auto pair = delayed([](int64_t x) { return std::make_tuple(x * 2, std::string("half")); })(21);
  auto [twice, word] = compute_on(scheduler_, pair.get<0>(), pair.get<1>());
  EXPECT_EQ(twice, 42);
  EXPECT_EQ(word, "half");

  auto split = delayed([](int64_t n) { return std::vector<int64_t>{n, n + 1, n + 2}; }, {.pure = false, .name = "", .nout = 3})(7);
  auto parts = split.split();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(delayed(Add)(parts[0], parts[2]).compute(scheduler_), 16);
  EXPECT_THROW(split[5].compute(scheduler_), IndexError);
}

TEST_F(DelayedTest, PersistKeepsResultsForLaterComputations) {
  inc_calls = 0;
  auto base = delayed(Inc, {.pure = true, .name = "", .nout = 0})(100).persist(scheduler_);
  EXPECT_EQ(delayed(Add)(base, 1).compute(scheduler_), 102);
  EXPECT_EQ(delayed(Add)(base, 2).compute(scheduler_), 103);
  EXPECT_EQ(inc_calls.load(), 1);
  EXPECT_NE(scheduler_.Find(base.key()), nullptr);
  const graph::Key key = base.key();
  base = delayed(Inc)(0);  // drops the last reference to the persisted result
  for (int i = 0; i < 1000 && scheduler_.Find(key) != nullptr; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(scheduler_.Find(key), nullptr);
}

TEST_F(DelayedTest, ErrorsReachComputeWithTheKey) {
  auto bad = delayed([](int64_t x) -> int64_t { throw InvalidArgument("x must be even, got " + std::to_string(x)); },
                     {.pure = false, .name = "check-even", .nout = 0})(3);
  auto total = delayed(Add)(bad, 1);
  try {
    total.compute(scheduler_);
    FAIL();
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("x must be even, got 3"), std::string::npos) << message;
    EXPECT_NE(message.find(bad.key().ToString()), std::string::npos) << message;
  }
  EXPECT_EQ(delayed(Add)(1, 2).compute(scheduler_), 3);
}

TEST(DelayedTableTest, TablesSpillAndComeBack) {
  sched::LocalSchedulerOptions options;
  options.num_threads = 2;
  options.memory.memory_limit = 200000;
  sched::LocalScheduler scheduler(options);
  auto make = delayed([](int64_t part) {
    std::vector<int64_t> values(10000);
    for (int64_t i = 0; i < 10000; ++i) values[size_t(i)] = part * 100000 + i;
    return Table::Make({"x"}, {MakeColumn<int64_t>(types::Int64(), values)});
  });
  std::vector<Delayed<TablePtr>> tables;
  for (int64_t p = 0; p < 20; ++p) tables.push_back(make(p));
  auto persisted = persist(tables, scheduler);  // 1.6 MB under a 200 kB limit
  auto rows = delayed([](const std::vector<TablePtr>& parts) {
    int64_t checksum = 0;
    for (const auto& t : parts) checksum += t->column("x")->values<int64_t>()[9999] + t->num_rows();
    return checksum;
  })(persisted);
  int64_t expected = 0;
  for (int64_t p = 0; p < 20; ++p) expected += p * 100000 + 9999 + 10000;
  EXPECT_EQ(rows.compute(scheduler), expected);
  EXPECT_GT(scheduler.stats().total_spilled_bytes, 0);
  EXPECT_GT(scheduler.stats().total_read_back_bytes, 0);
}

}  // namespace
}  // namespace tessera
