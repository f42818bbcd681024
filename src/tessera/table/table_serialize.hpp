// A compact binary format for one Table, used to spill partitions to disk (and later to send
// them between processes). Little-endian, versioned; slices are written compactly (rebased to
// row 0), so a 10-row slice of a big table costs 10 rows.
#pragma once

#include <string>
#include <string_view>

#include "tessera/base/byte_stream.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

/// Writes `table` (schema, index, columns with validity, string offsets and dictionaries). Column
/// values go to the sink straight from the column's buffers.
void SerializeTable(const Table& table, ByteSink& out);
void SerializeTable(const Table& table, std::string* out);
/// Reads one table that SerializeTable wrote (the format is self-delimiting: several may follow
/// each other), reading column values straight into new buffers; IOError naming what is wrong
/// for truncated or foreign bytes.
TablePtr DeserializeTable(ByteReader& in);
TablePtr DeserializeTable(std::string_view bytes);

}  // namespace tessera
