// The unboxing error message shared by every ValueTraits specialisation.
#include "tessera/delayed/value_traits.hpp"

namespace tessera {

void ThrowUnboxError(const graph::Value* value, const char* wanted) {
  throw TypeError(std::string("task result is not a ") + wanted + " (got " +
                  (value ? value->ToString() : std::string("nothing")) +
                  "); check the return type of the function producing it");
}

}  // namespace tessera
