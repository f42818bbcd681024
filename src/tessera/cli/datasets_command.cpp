#include "tessera/cli/commands.hpp"
namespace tessera::cli {
void AddDatasetsCommand(CLI::App& app) {}
}
