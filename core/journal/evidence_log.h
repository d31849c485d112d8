#pragma once
// The hash-chained evidence log, read back for verification and export. Records are appended
// by the writes of the other interfaces, in their transactions; the chain's head is read and
// extended inside each writing transaction, so concurrent writers (instances, portierctl)
// always make one chain.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/evidence/record.h"

namespace portier::journal {

class EvidenceLog {
 public:
  virtual ~EvidenceLog() = default;
  // The whole chain in order (for verification) or one case's records.
  virtual Result<std::vector<evidence::Record>> evidence(
      const std::optional<std::string>& business_process_id) = 0;
  // The highest sequence number ever handed out, so a removed tail is noticed. While others
  // write, read it before the chain: the chain then reaches at least this far.
  virtual Result<int64_t> evidence_high_water() = 0;
};

}  // namespace portier::journal
