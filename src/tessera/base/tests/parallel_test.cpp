#include "tessera/base/parallel.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace tessera {

TEST(ParallelForTest, VisitsEveryIndexOnce) {
  for (int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> visits(1000);
    ParallelFor(visits.size(), [&](size_t i) { visits[i]++; }, threads);
    for (auto& v : visits) EXPECT_EQ(v.load(), 1);
  }
}

TEST(ParallelForTest, RethrowsFirstErrorAndStops) {
  std::atomic<int> calls{0};
  EXPECT_THROW(ParallelFor(
                   100000,
                   [&](size_t i) {
                     calls++;
                     if (i == 10) throw std::runtime_error("boom");
                     // Later items take a moment, so the thread that claimed item 10 throws long
                     // before the other one could run every item (it may be descheduled for a
                     // while under sanitizers on a busy machine).
                     if (i > 10) std::this_thread::sleep_for(std::chrono::microseconds(100));
                   },
                   2),
               std::runtime_error);
  EXPECT_LT(calls.load(), 100000);
}

}  // namespace tessera
