// Answers of the APF web service (connectors/afs/apf_wire.h): the envelope reader (libxml2,
// no DTD) and the list and get answers, with their base64 form data and attachments.
#include <cstdint>
#include <string_view>

#include "connectors/afs/apf_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::afs;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto reader = EnvelopeReader::parse(body);
  if (!reader.is_ok()) return 0;
  fault_of(*reader);
  parse_list_response(*reader).ignore();
  parse_get_response(*reader).ignore();
  return 0;
}
