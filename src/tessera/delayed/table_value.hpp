// Tables as delayed results: boxing and unboxing TablePtr through the table layer's TableValue.
#pragma once

#include "tessera/delayed/value_traits.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera {

template <>
struct ValueTraits<TablePtr> {
  static graph::ValuePtr Box(TablePtr table) { return std::make_shared<const TableValue>(std::move(table)); }
  static TablePtr Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const TableValue*>(value.get())) return v->table();
    ThrowUnboxError(value.get(), "table");
  }
};

}  // namespace tessera
