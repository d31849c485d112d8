#pragma once
// One hop in the life of a business case, as kept in the hash-chained evidence log.
#include <cstdint>
#include <string>

namespace portier::evidence {

struct Record {
  int64_t seq = 0;                    // 1, 2, 3, ... with no gaps
  std::string business_process_id;
  int64_t at_ms = 0;
  std::string hop;                    // accepted | delivered | retry | parked | replayed | ...
  std::string operation;              // what came in or went out, e.g. reportStatus
  std::string department;
  std::string destination;            // empty for intake
  int64_t work_item_id = 0;
  std::string request_sha256;         // hex
  std::string response_sha256;        // hex
  std::string detail;
  std::string prev_hash;              // hash of record seq-1 ("" for the first)
  std::string hash;                   // chain_hash(*this)
};

}  // namespace portier::evidence
