// The process-wide name table behind Key.
#include "tessera/graph/key.hpp"

#include <deque>
#include <mutex>
#include <unordered_map>

#include "tessera/base/error.hpp"

namespace tessera::graph {

namespace {

// Names live in a deque so the string_views handed out stay valid as the table grows.
struct NameTable {
  std::mutex mutex;
  std::deque<std::string> names{std::string()};  // id 0 is the empty name
  std::unordered_map<std::string_view, uint32_t> ids{{std::string_view(), 0u}};
};

NameTable& Names() {
  static NameTable* table = new NameTable();  // never destroyed: keys may outlive statics
  return *table;
}

bool IsHexToken(std::string_view text) {
  if (text.size() < 4) return false;
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

uint32_t InternName(std::string_view name) {
  NameTable& table = Names();
  std::lock_guard lock(table.mutex);
  auto it = table.ids.find(name);
  if (it != table.ids.end()) return it->second;
  if (table.names.size() >= UINT32_MAX) {
    throw Internal("key name table is full (4 billion names); reuse names with partition indices");
  }
  const uint32_t id = uint32_t(table.names.size());
  table.names.emplace_back(name);
  table.ids.emplace(std::string_view(table.names.back()), id);
  return id;
}

std::string_view NameOf(uint32_t name_id) {
  NameTable& table = Names();
  std::lock_guard lock(table.mutex);
  if (name_id >= table.names.size()) {
    throw Internal("unknown key name id " + std::to_string(name_id));
  }
  return table.names[name_id];
}

std::string_view Key::Prefix() const {
  std::string_view text = Name();
  const size_t dash = text.rfind('-');
  if (dash != std::string_view::npos && dash > 0 && IsHexToken(text.substr(dash + 1))) {
    return text.substr(0, dash);
  }
  return text;
}

std::string Key::ToString() const {
  std::string text = "'";
  text += Name();
  text += "'";
  if (index < 0) return text;
  return "(" + text + ", " + std::to_string(index) + ")";
}

}  // namespace tessera::graph
