// Wall-clock timing and the process's peak resident memory, for benchmark reports.
#pragma once

#include <chrono>
#include <cstdint>

namespace tessera::cli {

/// Peak resident set size of this process so far (since the last ResetPeakResident), in bytes.
int64_t PeakResidentBytes();
/// Starts a new period for PeakResidentBytes (Linux: /proc/self/clear_refs). Returns false
/// where the kernel does not allow it.
bool ResetPeakResident();
/// Resident set size now (VmRSS), in bytes; -1 if unknown.
int64_t ResidentBytes();

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
