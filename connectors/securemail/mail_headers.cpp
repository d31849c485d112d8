#include "connectors/securemail/mail_headers.h"

#include <ctime>

#include "core/base/base64.h"

namespace portier::securemail {
namespace {

// Bytes in the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte, so
// invalid input still makes progress).
size_t utf8_length(uint8_t lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::string encode_header_text(std::string_view text) {
  bool plain = true;
  for (char c : text) plain = plain && c >= 0x20 && c < 0x7F;
  // "=?" in plain text would be read as the start of an encoded word.
  if (plain && text.find("=?") == std::string_view::npos) return std::string(text);
  // 75 characters per word: "=?UTF-8?B?" + 60 base64 characters (45 bytes) + "?=".
  constexpr size_t kBytesPerWord = 45;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    while (end < text.size()) {
      size_t next = end + utf8_length(uint8_t(text[end]));
      if (next - start > kBytesPerWord) break;
      end = std::min(next, text.size());
    }
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + base64_encode(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string format_mail_date(int64_t epoch_ms) {
  time_t seconds = static_cast<time_t>(epoch_ms / 1000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  // Names spelled out here: strftime's %a and %b follow the locale.
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday],
           utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
           utc.tm_sec);
  return buf;
}

std::string delivery_message_id(std::string_view delivery_id, std::string_view domain) {
  std::string id = "<";
  id.append(delivery_id);
  id += '@';
  id.append(domain);
  id += '>';
  return id;
}

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~.";
  char previous = 0;
  for (char c : text) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kSpecials.find(c) == std::string_view::npos) return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

bool is_plain_address(std::string_view address) {
  size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : address) {
    if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == ':' || c == '"' || c == '\\') {
      return false;
    }
  }
  return true;
}

}  // namespace portier::securemail
