// Remote objects as the io layer's ByteSource (reads) and OutputStream (writes), and glob
// expansion over object-store listings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tessera/io/file_system.hpp"
#include "tessera/io/remote/url.hpp"
#include "tessera/io/storage_options.hpp"

namespace tessera::io::remote {

/// Size (and ETag) from a HEAD request now; reads are ranged GETs (If-Match the ETag). Advised
/// ranges (ByteSource::WillNeed) are fetched in the background in 16 MiB requests sent in
/// parallel; other reads of 1 MiB or more are taken as a scan and the next 16 MiB is fetched
/// while the caller parses; reads over 32 MiB are split into parallel requests.
std::shared_ptr<ByteSource> OpenRemoteObject(const Location& location, const StorageOptions& options);

/// The objects matching `pattern` (s3:// or gs:// with * ? [..] in the key), listed with the
/// key's prefix before the first wildcard; '*' does not match '/'. Sorted URLs.
std::vector<std::string> ExpandRemoteGlob(const Location& pattern, const StorageOptions& options);

/// An object written in parts of 8 MiB (multipart upload) or with one PUT when smaller.
std::unique_ptr<OutputStream> OpenRemoteOutput(const Location& location, const StorageOptions& options);

}  // namespace tessera::io::remote
