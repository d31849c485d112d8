#pragma once
// How a counterpart's HTTP answer is judged, the same for every REST counterpart (table-tested).
// Pure functions; any thread.
#include <string>

#include "core/base/status.h"
#include "core/dispatch/connector.h"

namespace portier::outbound {

// A delivery: 2xx delivered; 401 (after a fresh token), 408, 425, 429 and 5xx retried; any other
// status rejected (the counterpart refused the content: 400, 404, 409, 413, 422, ...).
dispatch::DeliveryResult::Kind judge_status(long status);

// A read: 2xx OK; 404 kNotFound; 401 (after a fresh token) and 403 kPermissionDenied; 408, 425,
// 429, 5xx and anything unexpected kUnavailable; any other 4xx kInvalidArgument. The message is
// "HTTP <status>: <problem>".
Status judge_read_status(long status, const std::string& body);

}  // namespace portier::outbound
