// Futures: submit, pure keys, futures as arguments, map/gather, as_completed order, cancel,
// errors and priorities.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tessera/delayed/future.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

int64_t Square(int64_t x) { return x * x; }
int64_t Add(int64_t a, int64_t b) { return a + b; }

TEST(FutureTest, SubmitGatherAndFuturesAsArguments) {
  sched::LocalScheduler scheduler({2, {}});
  Client client(scheduler);
  auto a = client.submit(Square, 3);
  auto b = client.submit(Square, 4);
  auto c = client.submit(Add, a, b);  // waits for a and b
  EXPECT_EQ(c.result(), 25);
  EXPECT_TRUE(a.done());
  // Pure by default: the same call is the same future.
  EXPECT_EQ(client.submit(Square, 3).key(), a.key());
  auto squares = client.map(Square, std::vector<int64_t>{1, 2, 3, 4});
  EXPECT_EQ(client.gather(squares), (std::vector<int64_t>{1, 4, 9, 16}));
  auto total = client.submit([](const std::vector<int64_t>& v) { return v[0] + v[3]; }, squares);
  EXPECT_EQ(total.result(), 17);
}

// Tasks that block until the test opens their gate, so completion order is the test's choice.
struct Gates {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<bool> open = std::vector<bool>(8, false);
  void Open(int i) {
    std::lock_guard lock(mutex);
    open[size_t(i)] = true;
    cv.notify_all();
  }
  void Wait(int i) {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return open[size_t(i)]; });
  }
};

TEST(FutureTest, AsCompletedFollowsCompletionOrder) {
  sched::LocalScheduler scheduler({4, {}});
  Client client(scheduler);
  auto gates = std::make_shared<Gates>();
  std::vector<Future<int64_t>> futures;
  for (int i = 0; i < 3; ++i) {
    futures.push_back(client.submit([gates](int64_t id) {
      gates->Wait(int(id));
      return id;
    }, int64_t(i)));
  }
  auto completed = as_completed(futures);
  for (int i : {2, 0, 1}) {
    gates->Open(i);
    auto next = completed.next();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->result(), i);
  }
  EXPECT_FALSE(completed.next().has_value());
}

TEST(FutureTest, CancelStopsAPendingFuture) {
  sched::LocalScheduler scheduler({1, {}});
  Client client(scheduler);
  auto gates = std::make_shared<Gates>();
  auto blocker = client.submit([gates](int64_t) { gates->Wait(0); return int64_t(1); }, int64_t(0));
  auto waiting = client.submit(Square, blocker);  // cannot start before the blocker
  auto queued = client.submit(Square, 7);         // the only thread is busy
  waiting.cancel();
  queued.cancel();
  gates->Open(0);
  EXPECT_EQ(blocker.result(), 1);
  EXPECT_THROW(waiting.result(), Cancelled);
  EXPECT_THROW(queued.result(), Cancelled);
  EXPECT_EQ(waiting.status(), sched::ResultStatus::kCancelled);
  // A new (impure) submit of the same work still runs.
  EXPECT_EQ(client.submit_with({.pure = false, .priority = 0, .name = ""}, Square, 7).result(), 49);
}

TEST(FutureTest, ErrorsPropagateToDependentFutures) {
  sched::LocalScheduler scheduler({2, {}});
  Client client(scheduler);
  auto bad = client.submit([](int64_t x) -> int64_t { throw IndexError("no element " + std::to_string(x)); }, 9);
  auto after = client.submit(Add, bad, 1);
  EXPECT_THROW(bad.result(), IndexError);
  try {
    after.result();
    FAIL();
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find(bad.key().ToString()), std::string::npos) << e.what();
  }
  EXPECT_EQ(client.submit(Add, 2, 3).result(), 5);
}

TEST(FutureTest, HigherPriorityRunsFirst) {
  sched::LocalScheduler scheduler({1, {}});
  Client client(scheduler);
  auto gates = std::make_shared<Gates>();
  auto order = std::make_shared<std::vector<int64_t>>();
  auto order_mutex = std::make_shared<std::mutex>();
  auto started = std::make_shared<std::promise<void>>();
  auto blocker = client.submit([gates, started](int64_t) {
    started->set_value();
    gates->Wait(0);
    return int64_t(0);
  }, int64_t(0));
  started->get_future().wait();  // the only thread is now busy, so the others queue up
  auto record = [order, order_mutex](int64_t id) {
    std::lock_guard lock(*order_mutex);
    order->push_back(id);
    return id;
  };
  std::vector<Future<int64_t>> futures;
  futures.push_back(client.submit_with({.pure = true, .priority = 0, .name = ""}, record, int64_t(1)));
  futures.push_back(client.submit_with({.pure = true, .priority = 5, .name = ""}, record, int64_t(2)));
  futures.push_back(client.submit_with({.pure = true, .priority = 9, .name = ""}, record, int64_t(3)));
  gates->Open(0);
  client.gather(futures);
  EXPECT_EQ(*order, (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(blocker.result(), 0);
}

}  // namespace
}  // namespace tessera
