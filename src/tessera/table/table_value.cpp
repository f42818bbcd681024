// TableValue: serialisation through the table binary format.
#include "tessera/table/table_value.hpp"

#include <mutex>

#include "tessera/base/error.hpp"
#include "tessera/table/table_serialize.hpp"

namespace tessera {

TableValue::TableValue(TablePtr table) : table_(std::move(table)) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    graph::RegisterValueType("table", [](ByteReader& in) -> graph::ValuePtr {
      return std::make_shared<const TableValue>(DeserializeTable(in));
    });
  });
}

void TableValue::Serialize(ByteSink& out) const { SerializeTable(*table_, out); }

std::string TableValue::ToString() const {
  return "<table of " + std::to_string(table_->num_rows()) + " rows x " +
         std::to_string(table_->num_columns()) + " columns>";
}

const TablePtr& TableOf(const graph::ValuePtr& value) {
  if (auto* table_value = dynamic_cast<const TableValue*>(value.get())) return table_value->table();
  throw TypeError("task result is not a table (got " + (value ? value->ToString() : std::string("nothing")) +
                  "); check the function producing the partition");
}

}  // namespace tessera
