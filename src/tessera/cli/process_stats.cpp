#include "tessera/cli/process_stats.hpp"

#include <sys/resource.h>

#include <fstream>
#include <string>

namespace tessera::cli {

namespace {
// A "Field:   123 kB" line of /proc/self/status, in bytes.
int64_t StatusBytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  return -1;
}
}  // namespace

bool ResetPeakResident() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  return bool(clear_refs.flush());
}

int64_t ResidentBytes() { return StatusBytes("VmRSS"); }

int64_t PeakResidentBytes() {
  // VmHWM belongs to this process's address space alone. getrusage's ru_maxrss does not: Linux
  // carries the peak of the address space replaced by exec over, so a tessera started from a
  // large process (a Python benchmark driver) would report its launcher's peak.
  if (const int64_t peak = StatusBytes("VmHWM"); peak >= 0) return peak;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t(usage.ru_maxrss) * 1024;  // without /proc: Linux reports kilobytes
}

}  // namespace tessera::cli
