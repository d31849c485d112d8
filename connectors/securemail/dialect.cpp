#include "connectors/securemail/dialect.h"

#include <array>
#include <utility>

namespace portier::securemail {
namespace {

constexpr std::array<ReceiptKind, 5> kKinds = {ReceiptKind::kSubmission, ReceiptKind::kAcceptance,
                                               ReceiptKind::kRefusal, ReceiptKind::kExpiry,
                                               ReceiptKind::kUndeliverable};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::optional<Platform> parse_platform(std::string_view name) {
  if (name == "incamail") return Platform::kIncaMail;
  if (name == "privasphere") return Platform::kPrivaSphere;
  return std::nullopt;
}

const char* to_string(Platform platform) {
  return platform == Platform::kIncaMail ? "incamail" : "privasphere";
}

std::string registered_subject(const Dialect& dialect, std::string_view title) {
  std::string_view tag = "<r> ";
  if (dialect.platform == Platform::kPrivaSphere) {
    tag = dialect.egov ? "<PSPeGov/> " : "<PSPRegistered/> ";
  }
  std::string subject(tag);
  subject.append(title);
  return subject;
}

std::string_view receipt_name(Platform platform, ReceiptKind kind) {
  const bool inca = platform == Platform::kIncaMail;
  switch (kind) {
    case ReceiptKind::kSubmission:
      return inca ? "Abgabequittung" : "Belegexemplar";
    case ReceiptKind::kAcceptance:
      return inca ? "Abholquittung" : "Lesebestaetigung";
    case ReceiptKind::kRefusal:
      return inca ? "Annahmeverweigerungsquittung" : "Annahmeverweigerung";
    case ReceiptKind::kExpiry:
      return inca ? "Verfallquittung" : "Verfallsmeldung";
    case ReceiptKind::kUndeliverable:
      return "Unzustellbarkeitsmeldung";
  }
  return {};
}

std::optional<ReceiptKind> receipt_kind(Platform platform, std::string_view subject) {
  std::string_view name = subject;
  if (size_t colon = subject.find(": "); colon != std::string_view::npos) {
    name = subject.substr(0, colon);
  }
  name = trim(name);
  for (ReceiptKind kind : kKinds) {
    if (name == receipt_name(platform, kind)) return kind;
  }
  // The published spelling; receipt_name() gives the ASCII one the contract uses on the wire.
  if (platform == Platform::kPrivaSphere && name == "Lesebest\xC3\xA4tigung") {
    return ReceiptKind::kAcceptance;
  }
  return std::nullopt;
}

}  // namespace portier::securemail
