#include "tessera/diagnostics/symbolizer.hpp"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace tessera::diagnostics {

namespace {

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Index of the ')' closing the '(' at `open`, or the end of `s` when it is not closed.
size_t ClosingParenthesis(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i;
  }
  return s.size();
}

std::string Demangled(const char* mangled) {
  int status = 0;
  char* text = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && text != nullptr ? WithoutSignature(text) : mangled;
  std::free(text);
  return name;
}

std::string BaseName(const char* path) {
  if (path == nullptr) return {};
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// The DIE that declares a function, reached from an out-of-line or inlined instance through
// abstract origins and specifications.
Dwarf_Die Declaration(Dwarf_Die* die) {
  Dwarf_Die current = *die;
  for (int hop = 0; hop < 8; ++hop) {
    Dwarf_Attribute attribute;
    Dwarf_Attribute* reference = dwarf_attr(&current, DW_AT_abstract_origin, &attribute);
    if (reference == nullptr) reference = dwarf_attr(&current, DW_AT_specification, &attribute);
    Dwarf_Die next;
    if (reference == nullptr || dwarf_formref_die(reference, &next) == nullptr) break;
    current = next;
  }
  return current;
}

// "ns::(anonymous namespace)::Class::" for a declaration nested in namespaces and classes (full
// debug information nests them; -g1 does not, and gives no prefix).
std::string ScopePrefix(Dwarf_Die* declaration) {
  Dwarf_Die* scopes = nullptr;
  const int count = dwarf_getscopes_die(declaration, &scopes);
  std::string prefix;
  for (int i = count - 1; i >= 1; --i) {  // [0] is the declaration itself, the last the unit
    const int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_namespace && tag != DW_TAG_class_type && tag != DW_TAG_structure_type &&
        tag != DW_TAG_union_type) {
      continue;
    }
    const char* name = dwarf_diename(&scopes[i]);
    prefix += name != nullptr ? name : tag == DW_TAG_namespace ? "(anonymous namespace)" : "{unnamed type}";
    prefix += "::";
  }
  std::free(scopes);
  return prefix;
}

// The name of a subprogram or inlined-subroutine DIE: the demangled linkage name when the DIE
// (or what it stems from) has one, else `symbol` (the ELF symbol of an out-of-line function,
// which internal functions have even where their debug records carry only a plain name), else
// the plain name qualified by its enclosing scopes.
std::string FunctionName(Dwarf_Die* die, const char* symbol) {
  Dwarf_Attribute attribute;
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (const char* mangled = dwarf_formstring(dwarf_attr_integrate(die, name, &attribute))) return Demangled(mangled);
  }
  if (symbol != nullptr) return Demangled(symbol);
  Dwarf_Die declaration = Declaration(die);
  const char* plain = dwarf_diename(&declaration);
  return ScopePrefix(&declaration) + (plain != nullptr ? plain : "?");
}

// Where an inlined subroutine was inlined: the call's file and line in its caller.
void CallSite(Dwarf_Die* cu, Dwarf_Die* inlined, std::string* file, int* line) {
  Dwarf_Attribute attribute;
  Dwarf_Word value = 0;
  *line = dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attribute), &value) == 0 ? int(value) : 0;
  file->clear();
  Dwarf_Files* files = nullptr;
  size_t count = 0;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attribute), &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &count) == 0 && value < count) {
    *file = BaseName(dwarf_filesrc(files, value, nullptr, nullptr));
  }
}

// The function DIEs whose code holds `pc`, outermost first: the out-of-line function, then each
// inlined subroutine down to the innermost (through lexical blocks, and namespaces, which hold
// function definitions in full debug information).
void FunctionsAt(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>* chain) {
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if (tag == DW_TAG_namespace) {
      const size_t before = chain->size();
      FunctionsAt(&child, pc, chain);
      if (chain->size() > before) return;
    } else if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
               dwarf_haspc(&child, pc) == 1) {
      if (tag != DW_TAG_lexical_block) chain->push_back(child);
      FunctionsAt(&child, pc, chain);
      return;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::string WithoutSignature(std::string_view s) {
  std::string out;
  int depth = 0;  // inside <...>, {...} or a parenthesis that is not a parameter list
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (depth == 0 && s.substr(i).starts_with("operator") && (out.empty() || !IsIdentifierChar(out.back())) &&
        (i + 8 == s.size() || !IsIdentifierChar(s[i + 8]))) {
      // The operator's own symbols ("()", "<<", "[]") are part of the name, not syntax.
      out += "operator";
      i += 8;
      if (s.substr(i).starts_with("()")) {
        out += "()";
        i += 2;
      } else if (i < s.size() && s[i] == ' ') {  // operator new, operator delete[], operator bool
        int angle = 0;
        while (i < s.size() && !(s[i] == '(' && angle == 0)) {
          angle += s[i] == '<' ? 1 : s[i] == '>' ? -1 : 0;
          out += s[i++];
        }
      } else {
        while (i < s.size() && std::strchr("<>=!+-*/%^&|~,[]", s[i]) != nullptr) out += s[i++];
        if (s.substr(i).starts_with(" <")) ++i;  // "operator<< <T>": template arguments follow
      }
      continue;
    }
    if (depth == 0 && c == '(' && (out.empty() || out.ends_with("decltype"))) {
      ++depth;  // part of a return type: "decltype(auto) f(int)"
      out += c;
      ++i;
      continue;
    }
    if (depth == 0 && c == '(') {
      if (s.substr(i).starts_with("(anonymous namespace)")) {
        out += "(anonymous namespace)";
        i += std::strlen("(anonymous namespace)");
        continue;
      }
      // A parameter list: dropped with what follows it up to the next scope (" const", " &&",
      // " [clone .cold]").
      i = ClosingParenthesis(s, i) + 1;
      while (i < s.size() && !s.substr(i).starts_with("::")) ++i;
      continue;
    }
    if (depth == 0 && c == ' ') {  // what came before was a return type
      out.clear();
      ++i;
      continue;
    }
    if (c == '<' || c == '{' || c == '(') ++depth;
    if ((c == '>' || c == '}' || c == ')') && depth > 0) --depth;
    out += c;
    ++i;
  }
  return out;
}

std::string SourceFrame::Label() const {
  if (line <= 0 || file.empty()) return function;
  return function + " (" + file + ":" + std::to_string(line) + ")";
}

struct Symbolizer::Session {
  char* debuginfo_path = nullptr;
  Dwfl_Callbacks callbacks{};
  Dwfl* dwfl = nullptr;

  Session() {
    callbacks.find_elf = dwfl_build_id_find_elf;
    callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    callbacks.debuginfo_path = &debuginfo_path;
    dwfl = dwfl_begin(&callbacks);
  }
  ~Session() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
};

Symbolizer::Symbolizer() : session_(std::make_unique<Session>()) { ReportNewModules(); }

Symbolizer::~Symbolizer() = default;

void Symbolizer::ReportNewModules() {
  if (session_->dwfl == nullptr) return;
  struct Module {
    std::string path;
    uintptr_t bias;
  };
  std::vector<Module> loaded;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        std::string path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        if (path.empty()) {  // the program itself
          std::error_code error;
          path = std::filesystem::read_symlink("/proc/self/exe", error).string();
        }
        // the vDSO has no file to read
        if (!path.empty() && path.front() == '/') static_cast<std::vector<Module>*>(data)->push_back({path, info->dlpi_addr});
        return 0;
      },
      &loaded);
  dwfl_report_begin_add(session_->dwfl);
  for (const Module& module : loaded) {
    if (!reported_.emplace(module.path, module.bias).second) continue;
    // add_p_vaddr: the module's segments sit at their p_vaddr plus the load bias
    dwfl_report_elf(session_->dwfl, BaseName(module.path.c_str()).c_str(), module.path.c_str(), -1, module.bias, true);
  }
  dwfl_report_end(session_->dwfl, nullptr, nullptr);
}

std::vector<SourceFrame> Symbolizer::Frames(uintptr_t pc, bool is_return_address) {
  const Dwarf_Addr address = is_return_address && pc > 0 ? pc - 1 : pc;
  Dwfl* dwfl = session_->dwfl;
  Dwfl_Module* module = dwfl != nullptr ? dwfl_addrmodule(dwfl, address) : nullptr;
  if (module == nullptr && dwfl != nullptr) {  // loaded since the last look (dlopen)
    ReportNewModules();
    module = dwfl_addrmodule(dwfl, address);
  }
  if (module == nullptr) {
    char text[32];
    std::snprintf(text, sizeof(text), "0x%zx", size_t(pc));
    return {{text, "", 0}};
  }

  // The innermost frame's line from the line table; outer frames' lines are the call sites
  // recorded on the inlined subroutines.
  SourceFrame innermost;
  if (Dwfl_Line* line = dwfl_module_getsrc(module, address)) {
    innermost.file = BaseName(dwfl_lineinfo(line, nullptr, &innermost.line, nullptr, nullptr, nullptr));
  }
  // the ELF symbol holding the address: a function's full name where debug records lack it
  GElf_Sym symbol_entry;
  GElf_Off symbol_offset = 0;
  const char* symbol = dwfl_module_addrinfo(module, address, &symbol_offset, &symbol_entry, nullptr, nullptr, nullptr);
  std::vector<SourceFrame> frames;  // outermost first
  Dwarf_Addr bias = 0;
  if (Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias)) {
    std::vector<Dwarf_Die> chain;
    FunctionsAt(cu, address - bias, &chain);
    for (size_t i = 0; i < chain.size(); ++i) {
      SourceFrame frame{FunctionName(&chain[i], i == 0 ? symbol : nullptr), innermost.file, innermost.line};
      if (i + 1 < chain.size()) CallSite(cu, &chain[i + 1], &frame.file, &frame.line);
      frames.push_back(std::move(frame));
    }
  }
  if (frames.empty()) {  // no debug information: the ELF symbol, else module and offset
    if (symbol != nullptr) {
      innermost.function = Demangled(symbol);
    } else {
      Dwarf_Addr start = 0;
      const char* module_name = dwfl_module_info(module, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr);
      char text[32];
      std::snprintf(text, sizeof(text), "+0x%zx", size_t(pc - start));
      innermost.function = std::string(module_name != nullptr ? module_name : "?") + text;
    }
    frames.push_back(std::move(innermost));
  }
  return frames;
}

}  // namespace tessera::diagnostics
