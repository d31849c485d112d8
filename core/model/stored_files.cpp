#include "core/model/stored_files.h"

namespace portier::model {

std::vector<std::string> stored_files(const Message& message) {
  std::vector<std::string> files;
  auto add = [&files](const std::string& sha256) {
    if (!sha256.empty()) files.push_back(sha256);
  };
  if (message.__isset.documentDelivery) add(message.documentDelivery.documentSha256);
  if (message.__isset.formSubmission) {
    const FormSubmission& f = message.formSubmission;
    add(f.payloadSha256);
    if (f.__isset.pdfSha256) add(f.pdfSha256);
    if (f.__isset.attachmentSha256s) {
      for (const std::string& a : f.attachmentSha256s) add(a);
    }
  }
  return files;
}

}  // namespace portier::model
