#include <cstdio>

#include "core/app/commands.h"
#include "core/base/clock.h"

namespace portier::app {
namespace {

// An instance that has not reported for this long is not listed (it reports every 5 s).
constexpr int64_t kAliveWithinMs = 30'000;

}  // namespace

int instances_command(journal::Journal& journal, const std::string& verb, const Args& args) {
  if (verb != "list" || !args.empty()) {
    std::fputs("usage: portierctl instances list\n", stderr);
    return 2;
  }
  SystemClock clock;
  auto instances = journal.instances(clock.now_ms() - kAliveWithinMs);
  auto leases = journal.leases();
  if (!instances.is_ok() || !leases.is_ok()) {
    const Status& s = instances.is_ok() ? leases.status() : instances.status();
    std::fprintf(stderr, "portierctl: %s\n", s.to_string().c_str());
    return 1;
  }
  std::printf("%-32s %-24s %-24s %s\n", "INSTANCE", "STARTED", "LAST SEEN", "ITEMS IN FLIGHT");
  for (const journal::InstanceRecord& i : *instances) {
    std::printf("%-32s %-24s %-24s %lld\n", i.instance.c_str(), format_utc(i.started_ms).c_str(),
                format_utc(i.seen_ms).c_str(), static_cast<long long>(i.items_in_flight));
  }
  std::printf("\n%-40s %-32s %s\n", "POLL LEASE", "HOLDER", "UNTIL");
  for (const journal::LeaseRecord& l : *leases) {
    std::printf("%-40s %-32s %s\n", l.name.c_str(), l.holder.c_str(),
                format_utc(l.expires_ms).c_str());
  }
  return 0;
}

}  // namespace portier::app
