#pragma once
// The files of the document store (core/documents, by SHA-256) that a message refers to: a
// delivery's document, a submission's form data, PDF and attachments. The purge deletes a file
// only when nothing that is kept still refers to it (the store keeps the same bytes once).
// Pure; any thread.
#include <string>
#include <vector>

#include "gen-cpp/portier_types.h"

namespace portier::model {

std::vector<std::string> stored_files(const Message& message);

}  // namespace portier::model
