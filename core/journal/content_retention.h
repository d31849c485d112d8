#pragma once
// What the purge of expired content (core/retention) reads and does in the journal: the content
// of work that has finished, and its deletion, recorded in the evidence chain. The journal knows
// when work has finished; how long each department keeps what is decided by the purge.
//
// Only finished work is listed:
//  - a work item once delivered (done; never one pending, in flight or parked), and for a
//    document delivery also followed to its end: registered mail (destination "securemail")
//    once a final receipt is recorded, an inbox delivery the RC adapter took once its inbox
//    status is final;
//  - a registered delivery's receipts once the final one is recorded;
//  - an identity link once rejected or revoked (a pending or active link is in use);
//  - a department event once acknowledged.
// The evidence chain itself is never changed: its records carry digests, never content, so
// `evidence verify` holds before and after every purge.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class ContentRetention {
 public:
  virtual ~ContentRetention() = default;

  // Finished content of `source` not purged yet whose work ended at or before
  // `finished_before_ms`, ordered by its id, after the id `after` ("" from the start), at most
  // `limit`: a caller pages through all of it.
  virtual Result<std::vector<FinishedContent>> finished_content(ContentSource source,
                                                                int64_t finished_before_ms,
                                                                const std::string& after,
                                                                int limit) = 0;
  // Deletes each order's content and appends its "purged" evidence record to its case, all in
  // one transaction. Content purged meanwhile (another instance) or no longer finished is left
  // alone and gets no record. Returns, per order, whether it was purged now.
  virtual Result<std::vector<bool>> purge_content(const std::vector<PurgeOrder>& orders) = 0;
  // The document-store files (SHA-256 hex) that work items and receipts not purged refer to.
  virtual Result<std::set<std::string>> files_in_use() = 0;
};

}  // namespace portier::journal
