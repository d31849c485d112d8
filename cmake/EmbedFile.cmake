# Run as a script: writes OUTPUT, a C++ file that defines `std::string_view SYMBOL()` returning
# the bytes of INPUT. Used for files the binaries must carry (WSDL, XSD).
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUTPUT}
  "// Generated from ${NAME} at build time; do not edit.\n"
  "#include <string_view>\n"
  "namespace { const char kBytes[] = {${bytes} 0}; }\n"
  "std::string_view ${SYMBOL}() { return {kBytes, sizeof(kBytes) - 1}; }\n")
