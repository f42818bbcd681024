// Subcommands of the `tessera` program. Each registers its options on the CLI11 app and runs
// when selected.
#pragma once

#include <CLI/CLI.hpp>

namespace tessera::cli {

void AddBenchCommand(CLI::App& app);
void AddDatasetsCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);
/// `bench overhead`, registered under the `bench` subcommand.
void AddOverheadBench(CLI::App& bench);
/// `bench seed`, registered under the `bench` subcommand.
void AddSeedBench(CLI::App& bench);
void AddMemoryBench(CLI::App& bench);
void AddParquetBench(CLI::App& bench);

}  // namespace tessera::cli
