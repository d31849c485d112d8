// portierctl identity list|show|revoke: what the journal holds about identity links. A revocation
// goes through the journal like the portal's, with its evidence record and the department's
// event; the next check for the account asks the department again.
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>

#include "core/app/commands.h"
#include "core/base/clock.h"

namespace portier::app {
namespace {

constexpr char kUsage[] =
    "usage: portierctl identity list [--department D] [--state S] [--account ID] [--limit N]\n"
    "       portierctl identity show LINK_ID\n"
    "       portierctl identity revoke LINK_ID [--reason TEXT]\n";

int usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

void print_link(const journal::IdentityLinkRecord& l) {
  boost::json::object o;
  o["linkId"] = l.link_id;
  o["state"] = l.state;
  o["department"] = l.department;
  o["accountId"] = l.account_id;
  o["profileId"] = l.profile_id;
  o["serviceId"] = l.service_id;
  o["personIdCategory"] = l.person_ref_category;
  o["personId"] = l.person_ref_id;
  o["identificationLevel"] = l.identification_level;
  o["matchedOn"] = l.matched_on;
  o["couplingSha256"] = l.coupling_sha256;
  o["checkId"] = l.check_id;
  o["decidedBy"] = l.decided_by;
  o["reason"] = l.reason;
  o["createdAt"] = format_utc(l.created_ms);
  if (l.decided_ms) o["decidedAt"] = format_utc(l.decided_ms);
  o["updatedAt"] = format_utc(l.updated_ms);
  std::printf("%s\n", boost::json::serialize(o).c_str());
}

}  // namespace

int identity_command(journal::Journal& journal, const std::string& verb, const Args& args) {
  if (verb == "list") {
    journal::IdentityLinkFilter filter;
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (args[i] == "--department") filter.department = args[i + 1];
      else if (args[i] == "--state") filter.state = args[i + 1];
      else if (args[i] == "--account") filter.account_id = args[i + 1];
      else if (args[i] == "--limit") filter.limit = std::atoi(args[i + 1].c_str());
      else return usage();
    }
    if (args.size() % 2 != 0) return usage();
    auto links = journal.identity_links(filter);
    if (!links.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", links.status().to_string().c_str());
      return 1;
    }
    std::printf("%-36s %-8s %-14s %-7s %-24s %s\n", "LINK", "STATE", "DEPARTMENT", "SERVICE",
                "CREATED", "ACCOUNT");
    for (const auto& l : *links) {
      std::printf("%-36s %-8s %-14s %-7d %-24s %s\n", l.link_id.c_str(), l.state.c_str(),
                  l.department.c_str(), l.service_id, format_utc(l.created_ms).c_str(),
                  l.account_id.c_str());
    }
    return 0;
  }
  if (args.empty()) return usage();
  const std::string& link_id = args[0];
  if (verb == "show") {
    auto link = journal.identity_link(link_id);
    if (!link.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", link.status().to_string().c_str());
      return 1;
    }
    if (!*link) {
      std::fprintf(stderr, "portierctl: identity link %s is not known\n", link_id.c_str());
      return 1;
    }
    print_link(**link);
    return 0;
  }
  if (verb == "revoke") {
    std::string reason = "revoked by an operator";
    if (args.size() == 3 && args[1] == "--reason") reason = args[2];
    else if (args.size() != 1) return usage();
    journal::IdentityLinkChange change;
    change.link_id = link_id;
    change.from_states = {"pending", "active"};
    change.to_state = "revoked";
    change.by = "operator";
    change.reason = reason;
    change.operation = "revokeIdentityLink";
    auto revoked = journal.change_identity_link(change);
    if (!revoked.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", revoked.status().to_string().c_str());
      return 1;
    }
    print_link(*revoked);
    return 0;
  }
  return usage();
}

}  // namespace portier::app
