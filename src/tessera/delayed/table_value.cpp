// TableValue and the unboxing error message.
#include "tessera/delayed/table_value.hpp"

#include <mutex>

#include "tessera/table/table_serialize.hpp"

namespace tessera {

void ThrowUnboxError(const graph::Value* value, const char* wanted) {
  throw TypeError(std::string("task result is not a ") + wanted + " (got " +
                  (value ? value->ToString() : std::string("nothing")) +
                  "); check the return type of the function producing it");
}

TableValue::TableValue(TablePtr table) : table_(std::move(table)) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    graph::RegisterValueType("table", [](std::string_view bytes) -> graph::ValuePtr {
      return std::make_shared<const TableValue>(DeserializeTable(bytes));
    });
  });
}

void TableValue::Serialize(std::string* out) const { SerializeTable(*table_, out); }

std::string TableValue::ToString() const {
  return "<table of " + std::to_string(table_->num_rows()) + " rows x " + std::to_string(table_->num_columns()) + " columns>";
}

}  // namespace tessera
