# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed_file.cmake
# Writes a C++ source defining `std::string_view tessera::dashboard::assets::SYMBOL()` with the
# bytes of INPUT, so the dashboard's page ships inside the library.
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by cmake/embed_file.cmake; do not edit.\n#include <string_view>\nnamespace tessera::dashboard::assets {\nstatic const char kBytes[] = {${bytes} 0};\nstd::string_view ${SYMBOL}() { return {kBytes, ${size}}; }\n}  // namespace tessera::dashboard::assets\n")
