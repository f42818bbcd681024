#include "tessera/cli/process_stats.hpp"

#include <sys/resource.h>

namespace tessera::cli {

int64_t PeakResidentBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

}  // namespace tessera::cli
