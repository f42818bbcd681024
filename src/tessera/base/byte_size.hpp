// Sizes in bytes as users write them: "300MB", "300 MiB", "1e6", "80%" of RAM. One parser for the
// command line and the Python API (memory_limit, blocksize, partition_size), following Dask's
// dask.utils.parse_bytes and its memory_limit rules, with errors that name the argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera {

/// What a size argument accepts besides a plain number of bytes.
struct ByteSizeRules {
  /// When > 0 the size may be a share of this many bytes (memory limits of RAM): "80%", or a
  /// number in (0, 1] without a unit, as Dask's memory_limit takes it.
  int64_t share_of = 0;
};

/// Parses `text` (spaces ignored, units case-insensitive): a number of bytes ("300000000",
/// "3e8"), a number with a decimal (kB MB GB TB PB, or k m g t p) or binary (KiB MiB GiB TiB
/// PiB, or ki mi gi ti pi) unit, a unit alone ("MB" = 1 MB), or with `rules.share_of` a share.
/// Throws InvalidArgument naming `argument` and listing the accepted forms for anything else:
/// negative sizes, fractions of a byte, unknown units, text that is not a size.
int64_t ParseByteSize(std::string_view text, std::string_view argument, const ByteSizeRules& rules = {});

/// The same for a number given as a number (a Python int or float).
int64_t ByteSizeFromNumber(double value, std::string_view argument, const ByteSizeRules& rules = {});

/// The accepted forms, for error messages and help texts.
std::string DescribeByteSizeForms(const ByteSizeRules& rules = {});

}  // namespace tessera
