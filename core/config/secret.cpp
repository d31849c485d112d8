// resolve_secret: secret references (`env:NAME`, `file:PATH`). Messages name the variable or
// the file, never the value, and never echo a reference that is not one (it may be the secret).
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/config/config.h"

namespace portier::config {
namespace {

constexpr std::string_view kEnvPrefix = "env:";
constexpr std::string_view kFilePrefix = "file:";
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

bool is_env_name(std::string_view name) {
  if (name.empty()) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(name.front())) return false;
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

Result<std::string> from_environment(const std::string& name) {
  if (!is_env_name(name)) {
    return invalid_argument("env: must be followed by an environment variable name");
  }
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return not_found("environment variable " + name + " is not set");
  if (*value == '\0') return failed_precondition("environment variable " + name + " is empty");
  return std::string(value);
}

Result<std::string> from_file(const std::string& path) {
  if (path.empty()) return invalid_argument("file: must be followed by a path");
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return invalid_argument("secret file " + path + " is a folder, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return not_found("secret file " + path + " cannot be read (" + std::strerror(errno) + ")");
  }
  std::string value;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    value.append(buffer, static_cast<size_t>(in.gcount()));
    if (value.size() > kMaxSecretFileBytes) {
      return invalid_argument("secret file " + path + " is larger than 64 KiB");
    }
  }
  if (in.bad()) return not_found("secret file " + path + " cannot be read");
  if (!value.empty() && value.back() == '\n') {
    value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  if (value.empty()) return failed_precondition("secret file " + path + " is empty");
  return value;
}

}  // namespace

Result<std::string> resolve_secret(const std::string& reference) {
  std::string_view ref = reference;
  if (ref.starts_with(kEnvPrefix))
    return from_environment(std::string(ref.substr(kEnvPrefix.size())));
  if (ref.starts_with(kFilePrefix)) return from_file(std::string(ref.substr(kFilePrefix.size())));
  return invalid_argument(
      "not a secret reference: write env:NAME or file:PATH, never the secret itself");
}

}  // namespace portier::config
