#pragma once
// SHA-256 digests (OpenSSL) for payload integrity and the evidence chain. Thread-safe.
#include <string>
#include <string_view>

namespace portier {

// Raw 32-byte digest.
std::string sha256(std::string_view data);
std::string to_hex(std::string_view bytes);
inline std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }
// Random UUID (version 4) from OpenSSL's CSPRNG.
std::string random_uuid();

}  // namespace portier
