// Wall-clock timing and the process's peak resident memory, for benchmark reports.
#pragma once

#include <chrono>
#include <cstdint>

namespace tessera::cli {

/// Peak resident set size of this process so far, in bytes.
int64_t PeakResidentBytes();

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tessera::cli
