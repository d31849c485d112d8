#pragma once
// Compact-binary (de)serialisation of canonical messages, with size limits so that a corrupted
// or hostile blob cannot make the reader allocate (a 6-byte list header can otherwise ask for
// 268 MB). Thread-safe.
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "gen-cpp/portier_types.h"

namespace portier::model {

std::string encode(const Message& message);
Result<Message> decode(std::string_view bytes);

// The kind of message as a short name ("businessCase", "statusUpdate", ...); "" if unset.
std::string kind_of(const Message& message);

}  // namespace portier::model
