// Tables as scheduler values: a partition is a TableValue, counted by its bytes and spilled
// through the table layer's binary format.
#pragma once

#include "tessera/graph/value.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

class TableValue final : public graph::Value {
 public:
  /// Registers the deserialiser on first use (spill files of tables can then be read back).
  explicit TableValue(TablePtr table);
  const TablePtr& table() const { return table_; }
  int64_t nbytes() const override { return table_ ? table_->nbytes() : 0; }
  std::string_view type_name() const override { return "table"; }
  void Serialize(ByteSink& out) const override;
  std::string ToString() const override;

 private:
  TablePtr table_;
};

/// The table inside a task result; TypeError naming what the value holds instead.
const TablePtr& TableOf(const graph::ValuePtr& value);

}  // namespace tessera
