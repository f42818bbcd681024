#include "tessera/cli/option_checks.hpp"

#include "tessera/base/byte_size.hpp"
#include "tessera/base/error.hpp"
#include "tessera/sched/spill_store.hpp"

namespace tessera::cli {

namespace {

// Whole numbers in [low, high]; `what` says what the option takes.
CLI::Validator WholeNumberIn(int64_t low, int64_t high, const std::string& what, const std::string& name) {
  return CLI::Validator(
      [low, high, what](std::string& text) -> std::string {
        int64_t value = 0;
        size_t used = 0;
        try {
          value = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || value < low || value > high) {
          return "'" + text + "' is not valid: give " + what;
        }
        return {};
      },
      "", name);
}

}  // namespace

CLI::Option* AddByteSizeOption(CLI::App& app, const std::string& name, int64_t* bytes,
                               const std::string& description, bool share_of_memory) {
  ByteSizeRules rules;
  if (share_of_memory) rules.share_of = sched::PhysicalMemoryBytes();
  const std::string argument = name.substr(name.find_first_not_of('-'));
  return app
      .add_option_function<std::string>(
          name, [bytes, argument, rules](const std::string& text) { *bytes = ParseByteSize(text, argument, rules); },
          description)
      ->check(CLI::Validator(
          [argument, rules](std::string& text) -> std::string {
            try {
              ParseByteSize(text, argument, rules);
            } catch (const InvalidArgument& error) {
              return error.what();
            }
            return {};
          },
          "", "byte size"))
      ->type_name("SIZE");
}

CLI::Validator ThreadCount() {
  return WholeNumberIn(0, 1 << 16, "0 (every core) or a positive number of threads", "threads");
}

CLI::Validator PositiveCount() {
  return WholeNumberIn(1, INT64_MAX, "a whole number of at least 1", "positive");
}

CLI::Validator PortNumber() { return WholeNumberIn(0, 65535, "a port from 0 (any free port) to 65535", "port"); }

}  // namespace tessera::cli
