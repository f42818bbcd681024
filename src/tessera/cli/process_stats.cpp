#include "tessera/cli/process_stats.hpp"

#include <sys/resource.h>

#include <fstream>
#include <string>

namespace tessera::cli {

int64_t PeakResidentBytes() {
  // VmHWM belongs to this process's address space alone. getrusage's ru_maxrss does not: Linux
  // carries the peak of the address space replaced by exec over, so a tessera started from a
  // large process (a Python benchmark driver) would report its launcher's peak.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t(usage.ru_maxrss) * 1024;  // without /proc: Linux reports kilobytes
}

}  // namespace tessera::cli
