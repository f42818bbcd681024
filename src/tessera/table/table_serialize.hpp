// A compact binary format for one Table, used to spill partitions to disk (and later to send
// them between processes). Little-endian, versioned; slices are written compactly (rebased to
// row 0), so a 10-row slice of a big table costs 10 rows.
#pragma once

#include <string>
#include <string_view>

#include "tessera/table/table.hpp"

namespace tessera {

/// Appends `table` (schema, index, columns with validity, string offsets and dictionaries).
void SerializeTable(const Table& table, std::string* out);
/// Reads what SerializeTable wrote; IOError naming what is wrong for truncated or foreign bytes.
TablePtr DeserializeTable(std::string_view bytes);

}  // namespace tessera
