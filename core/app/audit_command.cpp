#include <cstdio>
#include <cstdlib>

#include "core/app/commands.h"
#include "core/base/clock.h"

namespace portier::app {

int audit_command(journal::Journal& journal, const std::string& verb, const Args& args) {
  if (verb != "list") {
    std::fputs("usage: portierctl audit list [--limit N]\n", stderr);
    return 2;
  }
  int limit = 100;
  if (args.size() == 2 && args[0] == "--limit") limit = std::atoi(args[1].c_str());
  auto entries = journal.audit_log(limit);
  if (!entries.is_ok()) {
    std::fprintf(stderr, "portierctl: %s\n", entries.status().to_string().c_str());
    return 1;
  }
  std::printf("%-24s %-16s %-18s %-16s %s\n", "AT", "DEPARTMENT", "OPERATION", "REMOTE", "REASON");
  for (const journal::AuditEntry& e : *entries) {
    std::printf("%-24s %-16s %-18s %-16s %s\n", format_utc(e.at_ms).c_str(), e.department.c_str(),
                e.operation.c_str(), e.remote_address.c_str(), e.reason.c_str());
  }
  return 0;
}

}  // namespace portier::app
