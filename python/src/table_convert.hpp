// Columns and tables across the Python boundary without copying where the layouts agree:
// fixed-width values become read-only NumPy arrays over the column's own buffer (kept alive by
// the array), and NumPy arrays become columns over the array's memory (kept alive by the
// column). Strings travel as Arrow large_string buffers (int64 offsets + UTF-8 bytes).
// pandas objects are assembled from these pieces in tessera/_convert.py.
#pragma once

#include <nanobind/nanobind.h>

#include "tessera/table/table.hpp"

namespace tessera::python {

namespace nb = nanobind;

/// Python's handles on engine tables and columns (tessera._core.Table / Column).
struct TableHandle {
  TablePtr table;
};
struct ColumnHandle {
  ColumnPtr column;
};

/// {"dtype": "int64" | ... | "datetime64[us]" | "string" | "category", "values": read-only ndarray view, "mask":
/// bool ndarray of valid rows or None, and "offsets"/"data" for strings, "categories" for
/// categoricals}.
nb::dict ColumnToPython(const ColumnPtr& column);

/// A column over a 1-d NumPy array of a NumPy dtype tessera stores as is (bool, [u]int8..64,
/// float32/64; "datetime64[unit]"/"timedelta64[unit]" for int64 ticks of s, ms, us or ns,
/// "date" for int32 days). `valid`:
/// optional bool array, false where the row is null.
ColumnPtr ColumnFromNumpy(const std::string& dtype, nb::handle values, nb::handle valid);
/// A string column over Arrow large_string buffers (offsets: length+1 int64; data: UTF-8).
ColumnPtr ColumnFromStrings(nb::handle offsets, nb::handle data, nb::handle valid);
/// A categorical column: int32 codes (-1 = null) into `categories` (a string column).
ColumnPtr ColumnFromCodes(nb::handle codes, const ColumnPtr& categories);

/// Table -> Python object (a TableHandle) and back; TypeError naming `what` otherwise.
nb::object WrapTable(TablePtr table);
TablePtr UnwrapTable(nb::handle object, const char* what);

void BindTables(nb::module_& m);

}  // namespace tessera::python
