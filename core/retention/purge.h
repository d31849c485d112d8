#pragma once
// The purge of expired content. It finds the content of finished work whose retention has run
// out (each department's mapping says how long, core/mapping/retention.h; the journal says what
// has finished and when, core/journal/content_retention.h) and deletes it: in the journal, a
// message's personal fields, a receipt, a rejected or revoked link's person data, an
// acknowledged event's detail, each with a "purged" record in its case's evidence chain that
// keeps the content's digest; then the document-store files that nothing kept refers to any
// more. The evidence chain's records carry digests, never content, so the chain is the same
// before and after, plus the "purged" records: `evidence verify` stays green.
//
// Threads: blocking (journal, disk); worker threads only. Purges may run side by side (several
// instances, portierctl): content that one purged is skipped by the others.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"

namespace portier::retention {

// Content whose retention has run out.
struct ExpiredContent {
  journal::FinishedContent content;
  mapping::ContentKind kind = mapping::ContentKind::kPersonalData;
  std::chrono::days retention{0};
  std::string what;  // for people, e.g. "document Veranlagungsverfuegung of delivery d-1"
};

// Items per department and kind ("documents", "submissions", "receipts", "personalData").
using PurgeCounts = std::map<std::pair<std::string, std::string>, int64_t>;
PurgeCounts count_by_department_and_kind(const std::vector<ExpiredContent>& items);

struct PurgeReport {
  std::vector<ExpiredContent> purged;  // without their messages (content.message is empty)
  int64_t files_deleted = 0;
};

class Purge {
 public:
  using Mappings = std::function<std::shared_ptr<const mapping::MappingSet>()>;
  // A file stored (or stored again) this recently is kept even if nothing refers to it: an
  // intake may be between storing it and committing the work that refers to it.
  static constexpr std::chrono::minutes kFileGrace{15};

  // `documents` may be null (no document store: no files to delete). `journal`, `documents`
  // and `clock` must outlive the purge.
  Purge(journal::Journal& journal, Mappings mappings, const documents::DocumentStore* documents,
        const Clock& clock, std::chrono::milliseconds file_grace = kFileGrace);

  // What has expired now; nothing changes (portierctl purge --dry-run).
  Result<std::vector<ExpiredContent>> expired();
  // Deletes what has expired now; its evidence records and the audit log name `by` (e.g.
  // "portierd", "portierctl").
  Result<PurgeReport> run(const std::string& by);

 private:
  // Calls `take` with each page of what has expired now (the journal is read a page at a time,
  // so memory stays bounded however much has expired).
  Status for_each_expired(const std::function<Status(std::vector<ExpiredContent>&)>& take);
  Status purge_page(std::vector<ExpiredContent>& page, const std::string& by, PurgeReport& report,
                    std::set<std::string>& files);
  Result<int64_t> delete_unused_files(const std::set<std::string>& candidates);

  journal::Journal& journal_;
  const Mappings mappings_;
  const documents::DocumentStore* const documents_;
  const Clock& clock_;
  const std::chrono::milliseconds file_grace_;
};

}  // namespace portier::retention
