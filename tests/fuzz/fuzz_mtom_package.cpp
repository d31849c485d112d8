// MTOM/XOP packages (adapters/soap/mtom_package.h), read by GMime: the input's first line is
// the HTTP Content-Type, the rest the body. Every part the package names is read to its end.
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/soap/mtom_package.h"

namespace {

void drain(portier::soap_adapter::ByteSource* source) {
  if (source == nullptr) return;
  char buffer[4096];
  for (;;) {
    auto n = source->read(buffer, sizeof buffer);
    if (!n.is_ok() || *n == 0) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::soap_adapter;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  if (eol == std::string_view::npos) return 0;
  const std::string content_type(input.substr(0, eol));
  if (!MtomPackage::announced_by(content_type)) return 0;
  auto package = MtomPackage::read(content_type, input.substr(eol + 1));
  if (!package.is_ok()) return 0;
  drain((*package)->root().get());
  for (const char* href : {"cid:doc", "cid:1", "cid:root", "x"}) {
    auto attachment = (*package)->attachment(href);
    if (attachment.is_ok()) drain((*package)->bytes_of(*attachment).get());
  }
  return 0;
}
