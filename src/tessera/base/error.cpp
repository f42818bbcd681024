#include "tessera/base/error.hpp"

namespace tessera {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "ValueError";
    case ErrorKind::kType: return "TypeError";
    case ErrorKind::kKey: return "KeyError";
    case ErrorKind::kIndex: return "IndexError";
    case ErrorKind::kParse: return "ParseError";
    case ErrorKind::kIO: return "OSError";
    case ErrorKind::kOutOfMemory: return "MemoryError";
    case ErrorKind::kCancelled: return "CancelledError";
    case ErrorKind::kNotImplemented: return "NotImplementedError";
    case ErrorKind::kInternal: return "InternalError";
  }
  return "Error";
}

}  // namespace tessera
