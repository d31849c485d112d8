#include "core/base/base64.h"

#include <openssl/evp.h>

namespace portier {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `clean` has only alphabet characters and padding; checks the padding, then decodes.
std::optional<std::string> decode_clean(const std::string& clean) {
  if (clean.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    if (clean[i] == '=') {
      ++pad;
    } else if (pad > 0 || !is_base64_char(static_cast<unsigned char>(clean[i]))) {
      return std::nullopt;  // data after padding, or outside the alphabet
    }
  }
  if (pad > 2) return std::nullopt;
  if (clean.empty()) return std::string();
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);  // EVP_DecodeBlock counts padding as zero bytes
  return out;
}

}  // namespace

bool is_base64_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock writes a NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (!is_space(c)) clean += c;
  }
  return decode_clean(clean);
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string clean(text);
  for (char& c : clean) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=' || is_space(c))
      return std::nullopt;
  }
  if (clean.size() % 4 == 1) return std::nullopt;
  while (clean.size() % 4 != 0) clean += '=';
  return decode_clean(clean);
}

}  // namespace portier
