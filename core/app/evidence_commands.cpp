#include <boost/json.hpp>
#include <cstdio>

#include "core/app/commands.h"
#include "core/app/delivery_export.h"
#include "core/app/lifecycle_rule.h"
#include "core/evidence/chain.h"

namespace portier::app {

int evidence_command(journal::Journal& journal, const config::Config& config,
                     const std::string& verb, const Args& args) {
  if (verb == "verify") {
    // The high water first: records other writers add meanwhile are then in the chain read
    // next, and are checked rather than taken for a missing tail.
    auto high_water = journal.evidence_high_water();
    auto chain = journal.evidence(std::nullopt);
    if (!chain.is_ok() || !high_water.is_ok()) {
      const Status& s = chain.is_ok() ? high_water.status() : chain.status();
      std::fprintf(stderr, "portierctl: %s\n", s.to_string().c_str());
      return 1;
    }
    evidence::Verdict v = evidence::verify(*chain, *high_water);
    for (const std::string& p : v.problems) std::printf("BROKEN %s\n", p.c_str());
    std::printf("%s: %lld records checked\n", v.intact ? "intact" : "broken",
                static_cast<long long>(v.records));
    return v.intact ? 0 : 3;
  }
  if (verb == "export" && args.size() == 1) {
    auto doc = export_case(journal, args[0], lifecycle_rule(config.registered_mail),
                           config.documents.folder);
    if (!doc.is_ok()) {
      // The message alone, as before: "no evidence for business process id '...'".
      std::fprintf(stderr, "portierctl: %s\n",
                   doc.status().code() == StatusCode::kNotFound ? doc.status().message().c_str()
                                                                : doc.status().to_string().c_str());
      return 1;
    }
    std::printf("%s\n", boost::json::serialize(*doc).c_str());
    return 0;
  }
  std::fputs("usage: portierctl evidence verify | evidence export BUSINESS_PROCESS_ID\n", stderr);
  return 2;
}

}  // namespace portier::app
