#include "connectors/afs/submission_check.h"

#include <algorithm>
#include <cctype>

#include "core/base/digest.h"

namespace portier::afs {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string file_problem(const ApplicationFile& f, const std::string& what) {
  if (!f.content_is_base64) return what + " '" + f.name + "': content is not base64";
  if (f.sha256.empty()) return what + " '" + f.name + "': no sha256 stated";
  if (lower(f.sha256) != sha256_hex(f.content)) {
    return what + " '" + f.name + "': SHA-256 does not match its content (stated " + f.sha256 +
           ", computed " + sha256_hex(f.content) + ")";
  }
  return "";
}

}  // namespace

std::string integrity_problem(const Application& a) {
  if (!a.form_data_is_base64) return "form data: not base64";
  const InboundSignature& sig = a.summary.signature;
  if (lower(sig.algorithm) != "sha-256") {
    return "inbound signature: algorithm '" + sig.algorithm + "' is not SHA-256";
  }
  if (lower(sig.value) != sha256_hex(a.form_data)) {
    return "inbound signature: does not match the form data (stated " + sig.value + ", computed " +
           sha256_hex(a.form_data) + ")";
  }
  if (a.pdf) {
    if (std::string why = file_problem(*a.pdf, "pdf"); !why.empty()) return why;
  }
  for (const ApplicationFile& f : a.attachments) {
    if (std::string why = file_problem(f, "attachment"); !why.empty()) return why;
  }
  return "";
}

}  // namespace portier::afs
