#include "tessera/cli/commands.hpp"
namespace tessera::cli {
void AddDemoCommand(CLI::App& app) {}
}
