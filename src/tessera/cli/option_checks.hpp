// Checks of command-line values shared by the subcommands, so a bad value is a usage error that
// names the option and says what it takes: sizes in bytes (read like Dask's "64MiB", "300MB",
// "80%"), thread counts, positive counts and ports.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace tessera::cli {

/// Adds `name` taking a size in bytes, stored in *bytes. With `share_of_memory` it also takes a
/// share of RAM ("80%", 0.8) as memory limits do.
CLI::Option* AddByteSizeOption(CLI::App& app, const std::string& name, int64_t* bytes,
                               const std::string& description, bool share_of_memory = false);

/// 0 (every core) or a positive number of threads.
CLI::Validator ThreadCount();
/// A count of at least 1.
CLI::Validator PositiveCount();
/// A TCP port, 0 (any free port) to 65535.
CLI::Validator PortNumber();

}  // namespace tessera::cli
