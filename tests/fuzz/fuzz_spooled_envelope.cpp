// A SOAP request too large for memory (adapters/soap/spooled_envelope.h): the shape guard and
// libxml2's push parser in pieces, with and without the MTOM root part's xop:Include rules;
// when accepted, the document's base64 text is read in its second pass.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "adapters/soap/spooled_envelope.h"

namespace {

// The input in pieces of 7 bytes, so that every rule is crossed by a piece boundary.
class PieceBytes final : public portier::soap_adapter::ByteSource {
 public:
  explicit PieceBytes(std::string_view bytes) : bytes_(bytes) {}
  portier::Result<size_t> read(char* out, size_t n) override {
    const size_t take = std::min({n, bytes_.size() - at_, size_t{7}});
    if (take > 0) std::memcpy(out, bytes_.data() + at_, take);
    at_ += take;
    return take;
  }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::soap_adapter;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  portier::xml::GuardLimits limits;
  for (bool xop : {false, true}) {
    PieceBytes bytes(body);
    std::string rule;
    read_spooled_envelope(bytes, limits, rule, xop).ignore();
  }
  return 0;
}
