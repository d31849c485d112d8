#pragma once
// What IncaMail and PrivaSphere read from a subject, and what their receipts' subjects say
// (docs/contracts/delivery-platform.md, sections 1 and 3). Pure functions; any thread.
#include <optional>
#include <string>
#include <string_view>

#include "core/registered/lifecycle.h"

namespace portier::securemail {

enum class Platform { kIncaMail, kPrivaSphere };

// The receipt kinds are the lifecycle's; to_string() and parse_receipt_kind() come with them.
using registered::ReceiptKind;
using registered::to_string;

struct Dialect {
  Platform platform = Platform::kIncaMail;
  // PrivaSphere only: registered and collectable by identified recipients alone (<PSPeGov/>).
  // IncaMail has no such tag; the flag is ignored there.
  bool egov = false;
};

// "incamail" or "privasphere" (as written in configuration), or nothing.
std::optional<Platform> parse_platform(std::string_view name);
const char* to_string(Platform platform);

// The subject that makes the platform treat a mail as registered: the tag, a space, the title.
std::string registered_subject(const Dialect& dialect, std::string_view title);

// The name the platform gives a receipt of `kind` (the start of its subject).
std::string_view receipt_name(Platform platform, ReceiptKind kind);

// The kind of receipt a subject announces: its text up to the first ": " (or all of it) is one of
// the platform's receipt names. PrivaSphere's "Lesebestätigung" is recognised with or without
// the umlaut. Anything else is not a receipt of this platform.
std::optional<ReceiptKind> receipt_kind(Platform platform, std::string_view subject);

}  // namespace portier::securemail
