#include "tests/sim/replies.h"

#include <cctype>
#include <ctime>

#include "core/base/digest.h"

namespace portier::sim {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

http::Response json_reply(unsigned status, const boost::json::value& value) {
  return http::Response::json(status, boost::json::serialize(value));
}

http::Response problem_reply(unsigned status, std::string_view detail, boost::json::object extra,
                             std::string_view title) {
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = title.empty() ? reason_phrase(status) : title;
  o["status"] = status;
  o["detail"] = detail;
  o["traceId"] = random_uuid();
  for (auto& member : extra) o[member.key()] = std::move(member.value());
  return http::Response::json(status, boost::json::serialize(o), "application/problem+json");
}

http::Response validation_problem(std::string_view field, std::string_view message) {
  boost::json::object errors;
  errors[field] = boost::json::array{boost::json::string(message)};
  return validation_problem(errors);
}

http::Response validation_problem(const boost::json::object& errors) {
  std::string detail;
  for (const auto& [field, messages] : errors) {
    for (const auto& message : messages.as_array()) {
      if (!detail.empty()) detail += "; ";
      detail += std::string(field) + ": " + std::string(message.as_string());
    }
  }
  return problem_reply(422, detail, {{"errors", errors}},
                       "One or more validation errors occurred.");
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

std::optional<boost::json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (hex_value(text[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}


std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace portier::sim
