#pragma once
// Reply helpers shared by the sim core and every module: JSON bodies, RFC 7807 problem+json
// with a `traceId` (the shape of the real egov4 error body), and small parsing helpers.
// Stateless and thread-safe.
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/message.h"

namespace portier::sim {

// `value` serialised as application/json.
http::Response json_reply(unsigned status, const boost::json::value& value);

// RFC 7807 body {type, title, status, detail, traceId} plus `extra` members; traceId is a fresh
// UUID. `title` defaults to the status's reason phrase.
http::Response problem_reply(unsigned status, std::string_view detail,
                             boost::json::object extra = {}, std::string_view title = {});

// A 422 problem naming the invalid `field`, with ASP.NET-style `errors: {field: [message]}`.
http::Response validation_problem(std::string_view field, std::string_view message);
// The same for several fields at once: `errors` is {field: [message, ...], ...}, not empty.
http::Response validation_problem(const boost::json::object& errors);

// The reason phrase of an HTTP status ("Unprocessable Entity"), "Error" if unknown.
std::string_view reason_phrase(unsigned status);

// The body parsed as JSON, or nothing if it is not JSON.
std::optional<boost::json::value> parse_json(std::string_view body);

// True for a UUID in 8-4-4-4-12 hex form (any version, either case).
bool is_uuid(std::string_view text);

// Decodes application/x-www-form-urlencoded text ('+' is a space, %XX escapes). Returns nothing
// if an escape is malformed.
std::optional<std::string> form_decode(std::string_view text);

// Standard base64 (with or without padding); nothing if malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace portier::sim
