// Portier's one base64 (core/base/base64.h): whatever decodes must decode the same again after
// encoding (the text need not be canonical: unused low bits may be set), for both alphabets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bytes = portier::base64_decode(text)) {
    if (portier::base64_decode(portier::base64_encode(*bytes)) != bytes) std::abort();
  }
  if (auto bytes = portier::base64url_decode(text)) {
    if (portier::base64url_decode(portier::base64url_encode(*bytes)) != bytes) std::abort();
  }
  if (portier::base64_decode(portier::base64_encode(text)) != std::string(text)) std::abort();
  return 0;
}
