#pragma once
// Base64 (RFC 4648 §4) and base64url (§5) with one set of rules for all of Portier:
//  * encoding: no line breaks; base64 pads with '=', base64url does not (JWS, RFC 7515);
//  * decoding base64: the standard alphabet; spaces, tabs and line breaks anywhere are skipped
//    (XML and MIME wrap long text); after them the length must be a multiple of four, with at
//    most two '=' and only at the end; anything else is refused (nullopt);
//  * decoding base64url: the URL alphabet, no padding, no whitespace (a token is one word).
// Encoding and decoding go through OpenSSL's EVP block functions. Pure functions; any thread.
#include <optional>
#include <string>
#include <string_view>

namespace portier {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// A character of the standard alphabet (padding excluded).
bool is_base64_char(unsigned char c);

}  // namespace portier
