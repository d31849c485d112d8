#pragma once
// The JSON of the portal interface (openapi.yaml), read and written with Boost.JSON: a check
// request into identity::CheckRequest, checked field by field (unknown members, wrong types,
// impossible dates, a VN with a wrong check digit are refused naming the field), and answers
// and links out. Pure functions; any thread.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "core/identity/identity_service.h"
#include "core/journal/journal.h"

namespace portier::rest_adapter {

// A refusal of the request body: the field's path and why.
struct BodyProblem {
  std::string field;
  std::string reason;
};

// `today` (yyyy-mm-dd) bounds dates of birth.
std::variant<identity::CheckRequest, BodyProblem> read_check_request(
    std::string_view body, const identity::DateOfBirth& today);

std::string write_check_answer(const identity::CheckAnswer& answer, const std::string& request_id);
boost::json::object link_json(const journal::IdentityLinkRecord& link);

}  // namespace portier::rest_adapter
