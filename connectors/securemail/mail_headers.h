#pragma once
// Header values of a submitted mail, built the same on every attempt. Pure functions; any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace portier::securemail {

// `text` unchanged if it is printable ASCII; otherwise RFC 2047 encoded words
// (=?UTF-8?B?...?=), each at most 75 characters and never splitting a UTF-8 character, joined by
// spaces (which a decoder drops between encoded words).
std::string encode_header_text(std::string_view text);

// RFC 5322 date-time in UTC, e.g. "Tue, 01 Jul 2025 08:30:00 +0000".
std::string format_mail_date(int64_t epoch_ms);

// "<delivery_id@domain>": stable across attempts, so the platform can take a retried
// submission once.
std::string delivery_message_id(std::string_view delivery_id, std::string_view domain);

// True if `text` can stand in a Message-ID's left or right side (RFC 5322 dot-atom-text,
// without a leading, trailing or double dot).
bool is_dot_atom(std::string_view text);

// True if `address` is a plain addr-spec that cannot break a header or an SMTP command: no
// spaces, controls, angle brackets or non-ASCII, and exactly one '@' with text on both sides.
bool is_plain_address(std::string_view address);

}  // namespace portier::securemail
