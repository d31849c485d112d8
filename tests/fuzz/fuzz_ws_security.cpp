// The WS-Security UsernameToken in a SOAP header (adapters/soap/ws_security.h): read from any
// envelope, and verified (nonce Base64, Created timestamp, digest) when one is found.
#include <cstdint>
#include <string_view>

#include "adapters/soap/ws_security.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::soap_adapter;
  const std::string_view envelope(reinterpret_cast<const char*>(data), size);
  auto token = read_username_token(envelope);
  if (token.is_ok() && token->has_value()) {
    verify_username_token(**token, "secret", 1'700'000'000'000, 300'000).ignore();
  }
  return 0;
}
