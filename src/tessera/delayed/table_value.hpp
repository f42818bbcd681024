// Tables as scheduler values: a partition is a TableValue, counted by its bytes and spilled
// through the table layer's binary format.
#pragma once

#include "tessera/delayed/value_traits.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

class TableValue final : public graph::Value {
 public:
  /// Registers the deserialiser on first use (spill files of tables can then be read back).
  explicit TableValue(TablePtr table);
  const TablePtr& table() const { return table_; }
  int64_t nbytes() const override { return table_ ? table_->nbytes() : 0; }
  std::string_view type_name() const override { return "table"; }
  void Serialize(std::string* out) const override;
  std::string ToString() const override;

 private:
  TablePtr table_;
};

template <>
struct ValueTraits<TablePtr> {
  static graph::ValuePtr Box(TablePtr table) { return std::make_shared<const TableValue>(std::move(table)); }
  static TablePtr Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const TableValue*>(value.get())) return v->table();
    ThrowUnboxError(value.get(), "table");
  }
};

}  // namespace tessera
