// Names code addresses of this process from debug information (libdw from elfutils): the
// function, source file and line, with the functions inlined at that address as frames of their
// own. Static and inlined functions have no dynamic symbol, so dladdr cannot name them; the line
// tables of a build with -g1 can. Modules are found with dl_iterate_phdr, so libraries and
// Python extension modules loaded by dlopen are named too.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::diagnostics {

struct SourceFrame {
  std::string function;  // "tessera::io::ReadCsvBlock"; "libc.so.6+0x8f2a0" without any symbol
  std::string file;      // base name ("csv_reader.cpp"); empty without line tables
  int line = 0;          // 0 when unknown

  /// "function (file:line)", or the function alone when the line is unknown.
  std::string Label() const;
};

/// One per user; not thread-safe (the profiler calls it under its lock). Slow on the first
/// address of each module (it reads the module's debug information), fast after.
class Symbolizer {
 public:
  Symbolizer();
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  /// The frames at `pc`, outermost first: the function whose code holds it, then the functions
  /// inlined into it down to the innermost. A return address (`is_return_address`) is looked up
  /// one byte back, inside the call instruction, so the caller's line is that of the call.
  std::vector<SourceFrame> Frames(uintptr_t pc, bool is_return_address);

 private:
  void ReportNewModules();

  struct Session;  // the libdw handle
  std::unique_ptr<Session> session_;
  std::set<std::pair<std::string, uintptr_t>> reported_;  // (file, load bias)
};

/// A demangled C++ name without parameter lists, the qualifiers after them and the return type
/// of function templates: "void ns::Sort<int>(int*, long) const" -> "ns::Sort<int>".
std::string WithoutSignature(std::string_view demangled);

}  // namespace tessera::diagnostics
