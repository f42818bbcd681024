// Terminal progress bar (see progress_bar.hpp).
#include "tessera/sched/progress_bar.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace tessera::sched {

void ProgressBar::OnEvents(std::span<const Event> events) {
  bool ended = false;
  for (const Event& event : events) {
    switch (event.type) {
      case EventType::kComputeStart:
        if (active_runs_++ == 0) {
          drawn_complete_ = false;
          total_ = 0;
          finished_ = 0;
          errors_ = 0;
          start_ns_ = event.start_ns;
        }
        total_ += event.bytes;
        break;
      case EventType::kTaskFinish:
        ++finished_;
        if (event.status != TaskStatus::kOk) ++errors_;
        break;
      case EventType::kComputeFinish:
        if (active_runs_ > 0 && --active_runs_ == 0) ended = true;
        break;
      default:
        break;
    }
  }
  if (total_ == 0) return;
  // All announced tasks finished counts as the end too: the finish event may come later.
  const bool complete = finished_.load() >= total_.load();
  if (complete && drawn_complete_) return;
  const int64_t now = NowNs();
  if (ended || complete || now - last_draw_ns_ >= min_interval_ns_) {
    last_draw_ns_ = now;
    drawn_complete_ = complete;
    Draw(ended || complete);
  }
}

void ProgressBar::Draw(bool final_line) {
  const int64_t total = total_.load(), finished = finished_.load();
  const double fraction = total > 0 ? std::min(1.0, double(finished) / double(total)) : 0.0;
  const int filled = int(fraction * width_);
  std::string bar(size_t(filled), '#');
  bar.append(size_t(width_ - filled), '-');
  char text[160];
  std::snprintf(text, sizeof(text), "\r[%s] %3d%% | %lld/%lld tasks | %.1f s%s", bar.c_str(), int(fraction * 100),
                static_cast<long long>(finished), static_cast<long long>(total), double(NowNs() - start_ns_) / 1e9,
                errors_ > 0 ? " | failed" : "");
  out_ << text;
  if (final_line) out_ << "\n";
  out_.flush();
}

}  // namespace tessera::sched
