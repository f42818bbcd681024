// The `tessera` program: demo, bench and datasets subcommands.
#include <iostream>

#include "tessera/base/error.hpp"
#include "tessera/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tessera: parallel dataframes and task graphs, from one core to a cluster"};
  app.require_subcommand(1);
  tessera::cli::AddDemoCommand(app);
  tessera::cli::AddBenchCommand(app);
  tessera::cli::AddDatasetsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const tessera::Error& error) {
    std::cerr << "tessera: " << tessera::ErrorKindName(error.kind()) << ": " << error.what() << "\n";
    return 1;
  }
  return 0;
}
