// Receipt e-mails of the registered-mail platforms (connectors/securemail/receipt_parser.h),
// read by GMime, in both dialects.
#include <cstdint>
#include <string_view>

#include "connectors/securemail/receipt_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::securemail;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  parse_receipt(raw, Platform::kIncaMail).ignore();
  parse_receipt(raw, Platform::kPrivaSphere).ignore();
  return 0;
}
