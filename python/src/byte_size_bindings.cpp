// parse_byte_size: the engine's one parser of sizes (base/byte_size.hpp) for the Python API's
// size arguments (Client(memory_limit=), read_csv(blocksize=), repartition(partition_size=)).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "tessera/base/byte_size.hpp"
#include "tessera/base/error.hpp"
#include "tessera/sched/spill_store.hpp"

namespace nb = nanobind;

namespace tessera::python {

void BindByteSize(nb::module_& m) {
  m.def(
      "parse_byte_size",
      [](nb::handle value, const std::string& argument, bool share_of_memory) -> int64_t {
        ByteSizeRules rules;
        if (share_of_memory) rules.share_of = sched::PhysicalMemoryBytes();
        if (PyBool_Check(value.ptr())) {
          throw InvalidArgument(argument + "=" + nb::cast<std::string>(nb::repr(value)) +
                                " is not a valid size; " + DescribeByteSizeForms(rules));
        }
        if (nb::isinstance<nb::str>(value)) return ParseByteSize(nb::cast<std::string>(value), argument, rules);
        if (PyNumber_Check(value.ptr())) {
          // ints and floats alike (exact for every size below 8 PiB)
          const double number = PyFloat_AsDouble(value.ptr());
          if (number == -1.0 && PyErr_Occurred()) throw nb::python_error();
          return ByteSizeFromNumber(number, argument, rules);
        }
        throw InvalidArgument(argument + "=" + nb::cast<std::string>(nb::repr(value)) + " (a " +
                              nb::cast<std::string>(nb::str(value.type().attr("__name__"))) +
                              ") is not a valid size; " + DescribeByteSizeForms(rules));
      },
      nb::arg("value"), nb::arg("argument"), nb::arg("share_of_memory") = false,
      "Bytes in `value` (an int, float or text such as '300MB', '64 MiB'; with share_of_memory also "
      "'80%' or a float in (0, 1] of RAM); ValueError naming `argument` otherwise.");
}

}  // namespace tessera::python
