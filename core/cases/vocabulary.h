#pragma once
// Words every part of Portier shares: the dispatch destinations under which the use cases queue
// work (the composition root gives each one its connector and settings), and the keys of the
// intakes that pollers record. Constants and pure functions; any thread.
#include <string>

namespace portier::cases {

// Business cases, status updates, activities, notifications and messages for the portal.
inline constexpr char kPortalDestination[] = "portal";
// Documents for the citizen's e-account inbox, through the portal's RC adapter.
inline constexpr char kRcAdapterDestination[] = "rc_adapter";
// Registered mail (IncaMail, PrivaSphere).
inline constexpr char kSecureMailDestination[] = "securemail";
// Form submissions pushed to the department application through its mapping's intake template.
inline constexpr char kDepartmentDestination[] = "department";
// The settings every mailbox's take-over destination shares (config <destination name="afs">).
inline constexpr char kAfsDestinationSettings[] = "afs";

// The destination that takes a mailbox's submissions over in the APF: "afs:<mailbox>".
std::string takeover_destination(const std::string& mailbox);
// The intake key of a polled submission, "afs/<mailbox>/<applicationId>".
std::string submission_key(const std::string& mailbox, const std::string& application_id);

}  // namespace portier::cases
