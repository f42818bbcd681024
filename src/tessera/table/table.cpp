#include "tessera/table/table.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "tessera/base/error.hpp"

namespace tessera {

int Schema::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return int(i);
  }
  return -1;
}

std::string Schema::ToString() const {
  size_t width = 0;
  for (const auto& field : fields_) width = std::max(width, field.name.size());
  std::ostringstream out;
  for (const auto& field : fields_) {
    out << field.name << std::string(width - field.name.size() + 4, ' ') << field.type.ToString()
        << "\n";
  }
  return out.str();
}

TablePtr Table::Make(std::vector<std::string> names, std::vector<ColumnPtr> columns,
                     ColumnPtr index, std::string index_name) {
  if (names.size() != columns.size()) {
    throw InvalidArgument("table needs one name per column: got " + std::to_string(names.size()) +
                          " names for " + std::to_string(columns.size()) + " columns");
  }
  std::shared_ptr<Table> table(new Table());
  std::set<std::string> seen;
  std::vector<Field> fields;
  int64_t num_rows = index ? index->length() : (columns.empty() ? 0 : columns[0]->length());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!seen.insert(names[i]).second) {
      throw InvalidArgument("duplicate column name '" + names[i] + "'; rename one of them");
    }
    if (columns[i]->length() != num_rows) {
      throw InvalidArgument("column '" + names[i] + "' has " + std::to_string(columns[i]->length()) +
                            " rows, expected " + std::to_string(num_rows));
    }
    fields.push_back({names[i], columns[i]->type()});
  }
  table->schema_ = Schema(std::move(fields));
  table->columns_ = std::move(columns);
  table->index_ = std::move(index);
  table->index_name_ = std::move(index_name);
  table->num_rows_ = num_rows;
  return table;
}

std::vector<std::string> Table::column_names() const {
  std::vector<std::string> names;
  for (const auto& field : schema_.fields()) names.push_back(field.name);
  return names;
}

const ColumnPtr& Table::column(const std::string& name) const {
  const int i = schema_.FieldIndex(name);
  if (i < 0) {
    std::string available;
    for (const auto& field : schema_.fields()) available += (available.empty() ? "'" : ", '") + field.name + "'";
    throw KeyError("no column named '" + name + "'; columns are " + available);
  }
  return columns_[size_t(i)];
}

TablePtr Table::Slice(int64_t offset, int64_t length) const {
  offset = std::clamp<int64_t>(offset, 0, num_rows_);
  length = std::clamp<int64_t>(length, 0, num_rows_ - offset);
  std::vector<ColumnPtr> sliced;
  for (const auto& c : columns_) sliced.push_back(c->Slice(offset, length));
  ColumnPtr index = index_ ? index_->Slice(offset, length) : nullptr;
  auto table = Make(column_names(), std::move(sliced), std::move(index), index_name_);
  std::const_pointer_cast<Table>(table)->num_rows_ = length;
  return table;
}

TablePtr Table::SelectColumns(const std::vector<std::string>& names) const {
  std::vector<ColumnPtr> selected;
  for (const auto& name : names) selected.push_back(column(name));
  auto table = Make(names, std::move(selected), index_, index_name_);
  std::const_pointer_cast<Table>(table)->num_rows_ = num_rows_;
  return table;
}

TablePtr Table::SetColumn(const std::string& name, ColumnPtr column) const {
  auto names = column_names();
  auto columns = columns_;
  const int i = schema_.FieldIndex(name);
  if (i >= 0) {
    columns[size_t(i)] = std::move(column);
  } else {
    names.push_back(name);
    columns.push_back(std::move(column));
  }
  return Make(std::move(names), std::move(columns), index_, index_name_);
}

TablePtr Table::DropColumn(const std::string& name) const {
  const int i = schema_.FieldIndex(name);
  if (i < 0) column(name);  // throws the KeyError
  auto names = column_names();
  auto columns = columns_;
  names.erase(names.begin() + i);
  columns.erase(columns.begin() + i);
  auto table = Make(std::move(names), std::move(columns), index_, index_name_);
  std::const_pointer_cast<Table>(table)->num_rows_ = num_rows_;
  return table;
}

TablePtr Table::SetIndex(const std::string& name) const {
  ColumnPtr index = column(name);
  auto table = DropColumn(name);
  return Make(table->column_names(), table->columns(), std::move(index), name);
}

TablePtr Table::ResetIndex() const {
  if (!index_) return Make(column_names(), columns_);
  auto names = column_names();
  auto columns = columns_;
  names.insert(names.begin(), index_name_.empty() ? "index" : index_name_);
  columns.insert(columns.begin(), index_);
  return Make(std::move(names), std::move(columns));
}

TablePtr Table::MakeEmpty(const Schema& schema) {
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  for (const auto& field : schema.fields()) {
    names.push_back(field.name);
    if (field.type.id() == TypeId::kString) {
      auto offsets = memory::Buffer::AllocateZeroed(sizeof(int64_t));
      columns.push_back(Column::Make(field.type, 0, memory::Buffer::Allocate(0), nullptr, 0, offsets));
    } else if (field.type.id() == TypeId::kCategorical) {
      auto offsets = memory::Buffer::AllocateZeroed(sizeof(int64_t));
      auto dictionary = Column::Make(types::String(), 0, memory::Buffer::Allocate(0), nullptr, 0, offsets);
      columns.push_back(Column::Make(field.type, 0, memory::Buffer::Allocate(0), nullptr, 0, nullptr, dictionary));
    } else {
      columns.push_back(Column::Make(field.type, 0, memory::Buffer::Allocate(0), nullptr, 0));
    }
  }
  return Make(std::move(names), std::move(columns));
}

int64_t Table::nbytes() const {
  int64_t bytes = index_ ? index_->nbytes() : 0;
  for (const auto& c : columns_) bytes += c->nbytes();
  return bytes;
}

bool ColumnsEqual(const Column& a, const Column& b) {
  if (a.type() != b.type() || a.length() != b.length() || a.null_count() != b.null_count()) {
    return false;
  }
  for (int64_t i = 0; i < a.length(); ++i) {
    if (a.IsValid(i) != b.IsValid(i)) return false;
  }
  if (a.type().id() == TypeId::kString) {
    for (int64_t i = 0; i < a.length(); ++i) {
      if (a.IsValid(i) && a.GetString(i) != b.GetString(i)) return false;
    }
    return true;
  }
  if (a.type().id() == TypeId::kCategorical) {
    for (int64_t i = 0; i < a.length(); ++i) {
      if (a.IsValid(i) && a.dictionary()->GetString(a.values<int32_t>()[i]) !=
                              b.dictionary()->GetString(b.values<int32_t>()[i])) {
        return false;
      }
    }
    return true;
  }
  return VisitFixedWidth(a.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = a.values<T>();
    const T* y = b.values<T>();
    for (int64_t i = 0; i < a.length(); ++i) {
      if (!a.IsValid(i)) continue;
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(x[i]) && std::isnan(y[i])) continue;
      }
      if (x[i] != y[i]) return false;
    }
    return true;
  });
}

bool Table::Equals(const Table& other) const {
  if (!(schema_ == other.schema_) || num_rows_ != other.num_rows_) return false;
  if ((index_ == nullptr) != (other.index_ == nullptr) || index_name_ != other.index_name_) {
    return false;
  }
  if (index_ && !ColumnsEqual(*index_, *other.index_)) return false;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!ColumnsEqual(*columns_[i], *other.columns_[i])) return false;
  }
  return true;
}

}  // namespace tessera
