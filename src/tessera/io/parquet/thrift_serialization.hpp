// Reading and writing the footer and page headers with Thrift's compact protocol, with limits on
// string and container sizes so a corrupt footer fails with ParseError instead of allocating
// without bound.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/io/parquet/parquet_footer_types.h"

namespace tessera::io::parquet {

/// Deserialises a FileMetaData from `size` bytes; throws ParseError on corrupt data.
void ReadFileMetaData(const uint8_t* data, int64_t size, format::FileMetaData* out);
/// Deserialises the PageHeader at `data` and returns its length in bytes, or throws ParseError.
int64_t ReadPageHeader(const uint8_t* data, int64_t size, format::PageHeader* out);

/// Serialises a footer or a page header in the compact protocol.
std::string Serialize(const format::FileMetaData& value);
std::string Serialize(const format::PageHeader& value);

}  // namespace tessera::io::parquet
