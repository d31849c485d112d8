#pragma once
// Reads a platform receipt from the raw bytes of a mail (GMime): which kind of receipt, which
// submitted message it is about, when it happened, the receipt PDF and its detached signature.
// Nothing is checked against a delivery or a key here (receipt_signature.h checks the seal).
//
// Errors, all kInvalidArgument (the message goes to Unmatched): not a MIME message, a subject
// that is no receipt name of the platform, no In-Reply-To or References, no or an invalid Date,
// no PDF part, more than one, no signature part, a truncated message.
// Threads: any thread, concurrently.
#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/securemail/dialect.h"
#include "core/base/status.h"

namespace portier::securemail {

struct Receipt {
  ReceiptKind kind = ReceiptKind::kSubmission;
  std::string original_message_id;  // "<...>": the submitted message's (In-Reply-To, else the
                                    // last of References)
  std::string receipt_message_id;   // "<...>": the receipt's own; empty if it has none
  std::string subject;              // decoded, UTF-8
  int64_t event_time_ms = 0;        // the Date header, ms since the epoch (UTC)
  std::string pdf;                  // the receipt PDF's bytes, decoded
  std::string pdf_file_name;        // empty if the part has none
  std::string signature;            // the detached CMS signature's bytes (DER), decoded
};

Result<Receipt> parse_receipt(std::string_view raw, Platform platform);

}  // namespace portier::securemail
