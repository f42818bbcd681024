#include "table_convert.hpp"

#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>

#include "python_value.hpp"
#include "tessera/base/error.hpp"

namespace tessera::python {

namespace {

// A read-only NumPy view of `length` values at `data`, owning a reference to `column` (columns
// are immutable and may be shared with persisted partitions).
template <typename T>
nb::object View(const T* data, int64_t length, const ColumnPtr& column) {
  nb::capsule owner(new ColumnPtr(column), [](void* p) noexcept { delete static_cast<ColumnPtr*>(p); });
  size_t shape[1] = {size_t(length)};
  return nb::cast(nb::ndarray<nb::numpy, const T, nb::ndim<1>>(data, 1, shape, owner));
}

nb::object FixedValues(const ColumnPtr& column) {
  const Column& c = *column;
  const int64_t n = c.length();
  switch (c.type().id()) {
    case TypeId::kBool: return View(reinterpret_cast<const bool*>(c.values<uint8_t>()), n, column);
    case TypeId::kInt8: return View(c.values<int8_t>(), n, column);
    case TypeId::kInt16: return View(c.values<int16_t>(), n, column);
    case TypeId::kInt32: return View(c.values<int32_t>(), n, column);
    case TypeId::kInt64: return View(c.values<int64_t>(), n, column);
    case TypeId::kUInt8: return View(c.values<uint8_t>(), n, column);
    case TypeId::kUInt16: return View(c.values<uint16_t>(), n, column);
    case TypeId::kUInt32: return View(c.values<uint32_t>(), n, column);
    case TypeId::kUInt64: return View(c.values<uint64_t>(), n, column);
    case TypeId::kFloat32: return View(c.values<float>(), n, column);
    case TypeId::kFloat64: return View(c.values<double>(), n, column);
    case TypeId::kTimestamp:
    case TypeId::kDuration: return View(c.values<int64_t>(), n, column);
    case TypeId::kDate:
    case TypeId::kCategorical: return View(c.values<int32_t>(), n, column);
    case TypeId::kString: break;
  }
  throw Internal("FixedValues: string column");
}

// A fresh bool array, true where the row holds a value.
nb::object ValidMask(const Column& column) {
  const int64_t n = column.length();
  auto* valid = new bool[size_t(n > 0 ? n : 1)];
  for (int64_t i = 0; i < n; ++i) valid[i] = column.IsValid(i);
  nb::capsule owner(valid, [](void* p) noexcept { delete[] static_cast<bool*>(p); });
  size_t shape[1] = {size_t(n)};
  return nb::cast(nb::ndarray<nb::numpy, bool, nb::ndim<1>>(valid, 1, shape, owner));
}

const char* TypeName(DataType type) {
  switch (type.id()) {
    case TypeId::kDate: return "date";
    case TypeId::kString: return "string";
    case TypeId::kCategorical: return "category";
    default: return nullptr;
  }
}

// A contiguous 1-d NumPy array of `itemsize`-byte items of `kind` ('i', 'u', 'f', 'b', or 0 for
// any): (pointer, length), or TypeError. No converting cast, so the memory is the array's own.
std::pair<const uint8_t*, int64_t> ArrayMemory(nb::handle array, size_t itemsize, char kind, const char* what) {
  nb::ndarray<nb::ro, nb::ndim<1>, nb::c_contig> view;
  if (!nb::try_cast(array, view, /*convert=*/false)) {
    throw TypeError(std::string(what) + ": expected a contiguous 1-d NumPy array, got " +
                    nb::cast<std::string>(nb::repr(nb::handle(array.type()))));
  }
  char actual = '?';
  switch (nb::dlpack::dtype_code(view.dtype().code)) {
    case nb::dlpack::dtype_code::Int: actual = 'i'; break;
    case nb::dlpack::dtype_code::UInt: actual = 'u'; break;
    case nb::dlpack::dtype_code::Float: actual = 'f'; break;
    case nb::dlpack::dtype_code::Bool: actual = 'b'; break;
    default: break;
  }
  const bool kind_ok = kind == 0 || actual == kind;
  if (view.itemsize() != itemsize || !kind_ok) {
    throw TypeError(std::string(what) + ": expected " + std::to_string(itemsize) + "-byte items of kind '" +
                    std::string(1, kind ? kind : '?') + "', got " + std::to_string(view.itemsize()) + "-byte items of kind '" + std::string(1, actual) + "'");
  }
  return {static_cast<const uint8_t*>(view.data()), int64_t(view.shape(0))};
}

char KindOf(DataType type) {
  if (type.id() == TypeId::kBool) return 'b';
  if (type.is_floating()) return 'f';
  if (type.is_unsigned_integer()) return 'u';
  return 'i';  // signed integers, timestamps, durations, dates
}

BufferPtr Borrow(nb::handle array, size_t itemsize, char kind, const char* what, int64_t* length) {
  auto [data, n] = ArrayMemory(array, itemsize, kind, what);
  *length = n;
  return memory::Buffer::Wrap(data, n * int64_t(itemsize), HoldObject(array));
}

// The validity bitmap of a bool array (true = valid), or null when every row is valid.
BufferPtr Bitmap(nb::handle valid, int64_t length, int64_t* null_count) {
  *null_count = 0;
  if (valid.is_none()) return nullptr;
  auto [data, n] = ArrayMemory(valid, 1, 'b', "validity mask");
  if (n != length) throw InvalidArgument("validity mask has " + std::to_string(n) + " rows, values " + std::to_string(length));
  auto bitmap = memory::Buffer::AllocateZeroed(bits::BytesForBits(length));
  uint8_t* out = bitmap->mutable_data();
  for (int64_t i = 0; i < length; ++i) {
    if (data[i]) {
      bits::SetBit(out, i);
    } else {
      ++*null_count;
    }
  }
  if (*null_count == 0) return nullptr;
  return bitmap;
}

}  // namespace

nb::dict ColumnToPython(const ColumnPtr& column) {
  nb::dict out;
  const Column& c = *column;
  const char* special = TypeName(c.type());
  out["dtype"] = special ? std::string(special) : c.type().ToString();
  out["mask"] = c.has_nulls() ? ValidMask(c) : nb::none();
  if (c.type().id() == TypeId::kString) {
    out["offsets"] = View(c.string_offsets(), c.length() + 1, column);
    const int64_t bytes = c.length() == 0 ? 0 : c.string_offsets()[c.length()];
    out["data"] = View(reinterpret_cast<const uint8_t*>(c.string_data()), bytes, column);
    return out;
  }
  out["values"] = FixedValues(column);
  if (c.type().id() == TypeId::kCategorical) out["categories"] = ColumnToPython(c.dictionary());
  return out;
}

ColumnPtr ColumnFromNumpy(const std::string& dtype, nb::handle values, nb::handle valid) {
  // Timestamps and durations come as NumPy's names with their unit ("datetime64[us]").
  DataType type = dtype == "date" ? types::Date() : ParseDataType(dtype);
  if (!type.is_fixed_width() || type.id() == TypeId::kCategorical) {
    throw TypeError("ColumnFromNumpy: " + dtype + " is not a fixed-width NumPy type");
  }
  int64_t length = 0;
  BufferPtr buffer = Borrow(values, size_t(type.ByteWidth()), KindOf(type), dtype.c_str(), &length);
  int64_t null_count = 0;
  BufferPtr bitmap = Bitmap(valid, length, &null_count);
  return Column::Make(type, length, std::move(buffer), std::move(bitmap), null_count);
}

ColumnPtr ColumnFromStrings(nb::handle offsets, nb::handle data, nb::handle valid) {
  int64_t num_offsets = 0, num_bytes = 0;
  BufferPtr offset_buffer = Borrow(offsets, 8, 'i', "string offsets", &num_offsets);
  BufferPtr data_buffer = Borrow(data, 1, 0, "string data", &num_bytes);
  if (num_offsets < 1) throw InvalidArgument("string offsets need length + 1 entries");
  const int64_t length = num_offsets - 1;
  const int64_t* o = offset_buffer->data_as<int64_t>();
  if (o[0] < 0 || o[length] > num_bytes) throw InvalidArgument("string offsets point outside the data");
  int64_t null_count = 0;
  BufferPtr bitmap = Bitmap(valid, length, &null_count);
  return Column::Make(types::String(), length, std::move(data_buffer), std::move(bitmap), null_count,
                      std::move(offset_buffer));
}

ColumnPtr ColumnFromCodes(nb::handle codes, const ColumnPtr& categories) {
  auto [data, length] = ArrayMemory(codes, 4, 'i', "category codes");
  const int32_t* code = reinterpret_cast<const int32_t*>(data);
  const int64_t num_categories = categories->length();
  auto values = memory::Buffer::Allocate(length * 4);
  auto bitmap = memory::Buffer::AllocateZeroed(bits::BytesForBits(length));
  int64_t null_count = 0;
  for (int64_t i = 0; i < length; ++i) {
    if (code[i] < 0) {
      ++null_count;
      values->mutable_data_as<int32_t>()[i] = 0;
    } else {
      if (code[i] >= num_categories) throw InvalidArgument("category code " + std::to_string(code[i]) + " out of range");
      values->mutable_data_as<int32_t>()[i] = code[i];
      bits::SetBit(bitmap->mutable_data(), i);
    }
  }
  return Column::Make(types::Categorical(), length, std::move(values), null_count ? BufferPtr(bitmap) : nullptr,
                      null_count, nullptr, categories);
}

nb::object WrapTable(TablePtr table) { return nb::cast(TableHandle{std::move(table)}); }

TablePtr UnwrapTable(nb::handle object, const char* what) {
  TableHandle* handle = nullptr;
  if (!nb::try_cast(object, handle) || handle == nullptr) {
    throw TypeError(std::string(what) + ": expected a tessera table, got " +
                    nb::cast<std::string>(nb::repr(nb::handle(object.type()))));
  }
  return handle->table;
}

void BindTables(nb::module_& m) {
  nb::class_<ColumnHandle>(m, "Column")
      .def_prop_ro("dtype", [](const ColumnHandle& c) { return c.column->type().ToString(); })
      .def("__len__", [](const ColumnHandle& c) { return c.column->length(); })
      .def_prop_ro("null_count", [](const ColumnHandle& c) { return c.column->null_count(); });
  nb::class_<TableHandle>(m, "Table")
      .def_prop_ro("num_rows", [](const TableHandle& t) { return t.table->num_rows(); })
      .def_prop_ro("column_names", [](const TableHandle& t) { return t.table->column_names(); })
      .def_prop_ro("index_name", [](const TableHandle& t) { return t.table->index_name(); })
      .def_prop_ro("has_index", [](const TableHandle& t) { return t.table->has_index(); })
      .def("__len__", [](const TableHandle& t) { return t.table->num_rows(); })
      .def("__repr__", [](const TableHandle& t) { return t.table->ToString(); })
      .def(
          "columns_to_python",
          [](const TableHandle& t) {
            nb::list columns;
            for (const ColumnPtr& column : t.table->columns()) columns.append(ColumnToPython(column));
            return columns;
          },
          "Each column as a dict of NumPy views (see table_convert.hpp).")
      .def("index_to_python", [](const TableHandle& t) -> nb::object {
        return t.table->has_index() ? nb::object(ColumnToPython(t.table->index())) : nb::none();
      });
  m.def("column_from_numpy", [](const std::string& dtype, nb::handle values, nb::handle valid) {
    return ColumnHandle{ColumnFromNumpy(dtype, values, valid)};
  }, nb::arg("dtype"), nb::arg("values"), nb::arg("valid").none());
  m.def("column_from_strings", [](nb::handle offsets, nb::handle data, nb::handle valid) {
    return ColumnHandle{ColumnFromStrings(offsets, data, valid)};
  }, nb::arg("offsets"), nb::arg("data"), nb::arg("valid").none());
  m.def("column_from_codes", [](nb::handle codes, const ColumnHandle& categories) {
    return ColumnHandle{ColumnFromCodes(codes, categories.column)};
  });
  m.def(
      "make_table",
      [](std::vector<std::string> names, const std::vector<ColumnHandle*>& columns, const ColumnHandle* index,
         std::string index_name) {
        std::vector<ColumnPtr> raw;
        for (const ColumnHandle* c : columns) raw.push_back(c->column);
        return TableHandle{Table::Make(std::move(names), std::move(raw), index ? index->column : nullptr,
                                       std::move(index_name))};
      },
      nb::arg("names"), nb::arg("columns"), nb::arg("index").none(), nb::arg("index_name"));
}

}  // namespace tessera::python
