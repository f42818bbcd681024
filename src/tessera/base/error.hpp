// Error types shared by every layer. One model everywhere: exceptions with a small hierarchy,
// each carrying a kind so errors can later cross threads and processes as values.
#pragma once

#include <stdexcept>
#include <string>

namespace tessera {

enum class ErrorKind {
  kInvalidArgument,
  kType,
  kKey,
  kIndex,
  kParse,
  kIO,
  kOutOfMemory,
  kCancelled,
  kNotImplemented,
  kInternal,
};

/// Name of an error kind as Python would spell the matching exception ("ValueError", ...).
const char* ErrorKindName(ErrorKind kind);

/// Base of all tessera errors. The message says what, where and, when known, how to fix it.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

#define TESSERA_DEFINE_ERROR(Name, Kind)                                      \
  class Name : public Error {                                                 \
   public:                                                                    \
    explicit Name(const std::string& message) : Error(Kind, message) {}       \
  };

TESSERA_DEFINE_ERROR(InvalidArgument, ErrorKind::kInvalidArgument)
TESSERA_DEFINE_ERROR(TypeError, ErrorKind::kType)
TESSERA_DEFINE_ERROR(KeyError, ErrorKind::kKey)
TESSERA_DEFINE_ERROR(IndexError, ErrorKind::kIndex)
TESSERA_DEFINE_ERROR(ParseError, ErrorKind::kParse)
TESSERA_DEFINE_ERROR(IOError, ErrorKind::kIO)
TESSERA_DEFINE_ERROR(OutOfMemory, ErrorKind::kOutOfMemory)
TESSERA_DEFINE_ERROR(Cancelled, ErrorKind::kCancelled)
TESSERA_DEFINE_ERROR(NotImplemented, ErrorKind::kNotImplemented)
TESSERA_DEFINE_ERROR(Internal, ErrorKind::kInternal)

#undef TESSERA_DEFINE_ERROR

}  // namespace tessera

/// Internal invariant, checked in debug builds only. Never use it to validate user input.
#ifdef NDEBUG
#define TESSERA_DCHECK(condition) ((void)0)
#else
#define TESSERA_DCHECK(condition)                                                          \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      throw ::tessera::Internal(std::string("internal check failed: ") + #condition +      \
                                " at " + __FILE__ + ":" + std::to_string(__LINE__));       \
    }                                                                                      \
  } while (0)
#endif
