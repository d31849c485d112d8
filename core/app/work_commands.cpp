#include <algorithm>
#include <optional>
#include <boost/json.hpp>
#include <cstdio>

#include "core/app/commands.h"
#include "core/base/clock.h"

namespace portier::app {
namespace {

namespace json = boost::json;

bool parse_id(const Args& args, int64_t& id) {
  if (args.empty()) return false;
  char* end = nullptr;
  id = std::strtoll(args[0].c_str(), &end, 10);
  return end && *end == '\0' && id > 0;
}

// The value after `--name` in args, if present.
std::optional<std::string> option(const Args& args, const std::string& name) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return std::nullopt;
}

bool has_flag(const Args& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

int fail(const Status& s) {
  std::fprintf(stderr, "portierctl: %s\n", s.to_string().c_str());
  return 1;
}

int list(journal::Journal& journal, const Args& args) {
  journal::ItemFilter filter;
  if (has_flag(args, "--parked")) filter.state = journal::ItemState::kParked;
  if (auto s = option(args, "--state")) {
    filter.state = journal::parse_item_state(*s);
    if (!filter.state) {
      std::fprintf(stderr, "portierctl: unknown state '%s' (pending, inflight, done, parked)\n",
                   s->c_str());
      return 2;
    }
  }
  filter.business_process_id = option(args, "--bpid");
  filter.destination = option(args, "--destination");
  if (auto n = option(args, "--limit")) filter.limit = std::atoi(n->c_str());
  auto items = journal.list(filter);
  if (!items.is_ok()) return fail(items.status());
  std::printf("%-8s %-9s %-12s %-16s %-8s %-24s %s\n", "ID", "STATE", "DESTINATION", "KIND",
              "ATTEMPTS", "UPDATED", "BUSINESS PROCESS ID / LAST ERROR");
  for (const journal::StoredItem& s : *items) {
    std::printf("%-8lld %-9s %-12s %-16s %-8d %-24s %s%s%s\n",
                static_cast<long long>(s.item.id), journal::to_string(s.state),
                s.item.destination.c_str(), s.kind.c_str(), s.item.attempts,
                format_utc(s.updated_ms).c_str(), s.item.businessProcessId.c_str(),
                s.last_error.empty() ? "" : " / ", s.last_error.c_str());
  }
  return 0;
}

int show(journal::Journal& journal, int64_t id) {
  auto s = journal.get(id);
  if (!s.is_ok()) return fail(s.status());
  json::object o{{"id", s->item.id},
                 {"state", journal::to_string(s->state)},
                 {"destination", s->item.destination},
                 {"kind", s->kind},
                 {"department", s->item.department},
                 {"businessProcessId", s->item.businessProcessId},
                 {"idempotencyKey", s->item.idempotencyKey},
                 {"correlationId", s->item.correlationId},
                 {"attempts", s->item.attempts},
                 {"nextAttempt", format_utc(s->next_attempt_ms)},
                 {"created", format_utc(s->created_ms)},
                 {"updated", format_utc(s->updated_ms)},
                 {"payloadSha256", s->payload_sha256}};
  if (!s->last_error.empty()) o["lastError"] = s->last_error;
  // Its personal fields are gone (retention); payloadSha256 is still the accepted message's.
  if (s->purged_ms != 0) o["purged"] = format_utc(s->purged_ms);
  std::printf("%s\n", json::serialize(o).c_str());
  return 0;
}

}  // namespace

int work_command(journal::Journal& journal, const std::string& verb, const Args& args) {
  if (verb == "list") return list(journal, args);
  int64_t id = 0;
  if (!parse_id(args, id)) {
    std::fprintf(stderr, "usage: portierctl work %s ID\n", verb.c_str());
    return 2;
  }
  if (verb == "show") return show(journal, id);
  Status s;
  if (verb == "replay") {
    s = journal.replay(id, "portierctl");
  } else if (verb == "park") {
    s = journal.park(id, option(args, "--reason").value_or("parked by an operator"));
  } else {
    std::fprintf(stderr, "portierctl: unknown work command '%s'\n", verb.c_str());
    return 2;
  }
  if (!s.is_ok()) return fail(s);
  std::printf("work item %lld: %s\n", static_cast<long long>(id),
              verb == "replay" ? "queued again" : "parked");
  return 0;
}

}  // namespace portier::app
