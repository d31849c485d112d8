#pragma once
// RFC 7807 problem+json bodies as the counterparts send them. Pure function; any thread.
#include <string>

namespace portier::outbound {

// "title: detail" from a problem+json body, or the body's start if it is not one.
std::string describe_problem(const std::string& body);

}  // namespace portier::outbound
