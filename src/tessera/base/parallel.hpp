// A bounded parallel-for over indices on short-lived threads. It serves eager whole-dataset
// entry points (reading every block of a CSV glob) until the scheduler runs them as tasks.
#pragma once

#include <cstddef>
#include <functional>

namespace tessera {

/// Number of threads to use by default: the machine's hardware concurrency (at least 1).
int DefaultThreadCount();

/// Calls fn(i) for every i in [0, count) on up to `threads` threads (0 = DefaultThreadCount()),
/// handing out indices in increasing order. The first exception thrown by any call stops new
/// calls from starting and is rethrown here once every running call has returned.
void ParallelFor(size_t count, const std::function<void(size_t)>& fn, int threads = 0);

}  // namespace tessera
