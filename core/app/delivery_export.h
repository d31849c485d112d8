#pragma once
// The document deliveries of one business case for `portierctl evidence export`: what was
// delivered (name, SHA-256, size), how (inbox or registered, platform, recipient), where it
// stands with its legal delivery date, and every receipt with its digests, seal check and the
// files that hold it byte for byte.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/base/status.h"
#include "core/journal/journal.h"
#include "core/registered/lifecycle.h"

namespace portier::app {

Result<boost::json::array> deliveries_of_case(journal::Journal& journal,
                                              const std::string& business_process_id,
                                              const registered::LifecycleRule& rule,
                                              const std::string& documents_folder);

// A case's whole evidence export, as `portierctl evidence export` prints it and the console
// offers it for download: the hash-chained records (evidence::export_json) with "deliveries".
// kNotFound if the case has no evidence.
Result<boost::json::value> export_case(journal::Journal& journal,
                                       const std::string& business_process_id,
                                       const registered::LifecycleRule& rule,
                                       const std::string& documents_folder);

}  // namespace portier::app
