// `tessera bench overhead N`: per-task scheduling cost on the shape of
// ../shared/anchors/dask_overhead.py, a binary tree reduction of N trivial leaves (2N-1 tasks),
// timed from the first task added to the graph until the root's value is back.
#include <malloc.h>

#include <iomanip>
#include <iostream>

#include "tessera/base/error.hpp"
#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/sched/interrupt.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/sched/progress_bar.hpp"

namespace tessera::cli {

namespace {

graph::ValuePtr AddOperation(const graph::TaskInputs& inputs) {
  return graph::MakeInt64(inputs.Int64(0) + inputs.Int64(1));
}

// Bytes the C allocator has handed out (the graph's arrays are a few large blocks).
int64_t AllocatedBytes() {
  const struct mallinfo2 info = mallinfo2();
  return int64_t(info.uordblks + info.hblkhd);
}

struct OverheadBenchOptions {
  int64_t leaves = 100000;
  int threads = 0;
  bool progress = false;
};

// The graph dask_overhead.py builds: add(i, 1) per leaf, then add(a, b) pairwise per level
// (an odd element is carried up unchanged). Keys are ("add-<level>", i); references by key.
graph::Graph BuildTree(int64_t leaves, graph::Key* root, int64_t* num_tasks) {
  const graph::Operation* add = graph::RegisterOperation("bench.add", &AddOperation);
  graph::Graph graph;
  graph.Reserve(size_t(2 * leaves - 1), size_t(2 * (2 * leaves - 1)));
  const uint32_t function = graph.AddOperation(add);
  const uint32_t leaf_name = graph::InternName("add-leaf");
  for (int64_t i = 0; i < leaves; ++i) {
    graph.AddTask(graph::Key(leaf_name, i), function, {graph::Arg::Int64(i), graph::Arg::Int64(1)});
  }
  // A level is a contiguous range of (name, index) keys; the carried odd element keeps its key.
  std::vector<graph::Key> carried;  // per level, the odd key carried upward (if any)
  graph::Key first_name(leaf_name, 0);
  uint32_t name = leaf_name;
  int64_t width = leaves;
  graph::Key extra;  // an odd element carried from below, appended at the end of this level
  bool has_extra = false;
  for (int level = 0; width + (has_extra ? 1 : 0) > 1; ++level) {
    const int64_t count = width + (has_extra ? 1 : 0);
    auto element = [&](int64_t i) { return i < width ? graph::Key(name, i) : extra; };
    const uint32_t next_name = graph::InternName("add-" + std::to_string(level));
    int64_t next_width = 0;
    for (int64_t i = 0; i + 1 < count; i += 2) {
      graph.AddTask(graph::Key(next_name, next_width++), function,
                    {graph::Arg::Ref(element(i)), graph::Arg::Ref(element(i + 1))});
    }
    if (count % 2 == 1) {
      extra = element(count - 1);
      has_extra = true;
    } else {
      has_extra = false;
    }
    name = next_name;
    width = next_width;
  }
  *root = width == 1 ? graph::Key(name, 0) : extra;
  graph.Finalize();
  *num_tasks = int64_t(graph.num_tasks());
  return graph;
}

void RunOverheadBench(const OverheadBenchOptions& options) {
  if (options.leaves < 1) throw InvalidArgument("bench overhead needs at least one leaf; pass N >= 1");
  sched::LocalSchedulerOptions scheduler_options;
  scheduler_options.num_threads = options.threads;
  sched::LocalScheduler scheduler(scheduler_options);
  sched::InterruptGuard interrupt(scheduler);  // Ctrl-C cancels instead of killing
  if (options.progress) scheduler.events().Subscribe(std::make_shared<sched::ProgressBar>(std::cerr));

  const int64_t allocated_before = AllocatedBytes();
  Stopwatch stopwatch;
  graph::Key root;
  int64_t num_tasks = 0;
  graph::Graph graph = BuildTree(options.leaves, &root, &num_tasks);
  const double build_seconds = stopwatch.Seconds();
  const int64_t graph_bytes = AllocatedBytes() - allocated_before;
  const int64_t graph_array_bytes = graph.nbytes();
  const auto values = scheduler.Compute(std::move(graph), {root});
  const double seconds = stopwatch.Seconds();
  if (options.progress) scheduler.events().Flush();

  const int64_t result = dynamic_cast<const graph::Int64Value&>(*values[0]).value();
  const int64_t expected = options.leaves * (options.leaves + 1) / 2;
  if (result != expected) {
    throw Internal("bench overhead computed " + std::to_string(result) + " but the tree sums to " + std::to_string(expected));
  }
  const double us_per_task = seconds / double(num_tasks) * 1e6;
  const double bytes_per_task = double(graph_bytes) / double(num_tasks);
  std::cout << std::fixed << std::setprecision(3) << "tree reduction of " << options.leaves << " leaves: " << num_tasks
            << " tasks on " << scheduler.num_threads() << " threads, result " << result << "\n"
            << "built the graph in " << build_seconds << " s, total " << seconds << " s, "
            << std::setprecision(3) << us_per_task << " us per task (Dask threaded: about 98 us)\n"
            << "graph " << std::setprecision(1) << double(graph_bytes) / 1e6 << " MB allocated ("
            << bytes_per_task << " bytes per task; arrays " << double(graph_array_bytes) / double(num_tasks)
            << "), peak resident " << double(PeakResidentBytes()) / 1e6 << " MB\n";
  std::cout << std::setprecision(4) << "{\"bench\": \"overhead\", \"leaves\": " << options.leaves
            << ", \"tasks\": " << num_tasks << ", \"threads\": " << scheduler.num_threads()
            << ", \"seconds\": " << seconds << ", \"us_per_task\": " << us_per_task
            << ", \"graph_bytes_per_task\": " << std::setprecision(1) << bytes_per_task << "}" << std::endl;
}

}  // namespace

void AddOverheadBench(CLI::App& bench) {
  auto options = std::make_shared<OverheadBenchOptions>();
  auto* overhead = bench.add_subcommand("overhead", "Scheduler overhead: tree reduction of N trivial tasks");
  overhead->add_option("leaves", options->leaves, "Leaves N (2N-1 tasks)")->required()->check(PositiveCount());
  overhead->add_option("--threads", options->threads, "Threads (0 = all cores)")->check(ThreadCount());
  overhead->add_flag("--progress", options->progress, "Draw a progress bar on stderr (adds event recording)");
  overhead->callback([options] { RunOverheadBench(*options); });
}

}  // namespace tessera::cli
