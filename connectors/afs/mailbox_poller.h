#pragma once
// Polls one APF mailbox and records each new submission in the journal, exactly once, keyed
// "afs/<mailbox>/<applicationId>" (docs/contracts/afs-apf.md §4):
//
//   lease (journal) → ListApplications(NEW, since cursor, keyset pages) → for each application
//   not yet recorded: GetApplication → integrity (inbound signature, PDF and attachment
//   digests) → the mapping that takes its formId → its fields (core/mapping/form_fields.h) →
//   form data, PDF and attachments into the document store → one intake:
//     whole:  [portal: open the business case, unless the form names an existing one]
//             department: the submission (FormSubmission with the mapped fields)
//             afs:<mailbox>: take it over and set IN_PROGRESS once the others are done
//     not:    afs:<mailbox> parked with the reason: kept, listed, never taken over
//   → the cursor moves to the page's newest submittedAt (after the page's intakes committed).
//
// Work items of one intake share its new Business Process ID, and dispatch hands out one case's
// items in order, so the take-over runs only after the department has the submission. A crash
// anywhere repeats at most a listing and a fetch: a recorded key is skipped. An application
// listed twice (on two pages, or in two rounds) is skipped the same way. The lease (renewed per
// page) keeps a second portierd on the same database from polling the mailbox at once.
//
// Threads: one turn at a time (a periodic task, core/runtime), on any thread; a page's
// applications are taken up to 8 at once side by side on the work pool (one after another on
// the calling thread without a pool). release() after the last turn. poll_once() is the round
// of a turn, for tests.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "connectors/afs/apf_client.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/cases/vocabulary.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"
#include "core/runtime/work_pool.h"

namespace portier::afs {

struct PollerSettings {
  std::string mailbox;
  std::chrono::milliseconds poll{5'000};
  int page_size = 100;
  std::string holder;  // this instance's name on the lease
  std::chrono::milliseconds lease{60'000};
  xml::GuardLimits xml_limits;  // for the form data
};

// The destination and key names are core's (core/cases/vocabulary.h); what an intake records,
// too (core/cases/form_submission.h).
using cases::submission_key;
using cases::takeover_destination;

struct PollReport {
  int listed = 0;      // applications listed (duplicates included)
  int recorded = 0;    // new submissions handed on
  int parked = 0;      // new submissions parked
  int known = 0;       // already recorded: skipped
  bool leased = true;  // false: another instance holds the mailbox
};

using MappingSource = std::function<std::shared_ptr<const mapping::MappingSet>()>;

class MailboxPoller {
 public:
  // Applications of one page taken side by side (on the pool, for the round only).
  static constexpr size_t kParallelTakes = 32;

  MailboxPoller(PollerSettings settings, const ApfClient& apf, journal::Journal& journal,
                const documents::DocumentStore& documents, MappingSource mappings,
                const Clock& clock, metrics::Registry& metrics, std::function<void()> work_accepted,
                runtime::WorkPool* pool = nullptr);

  // One round, then the backlog gauges; the delay before the next turn: the poll interval, or
  // longer each time (up to a minute) while rounds fail.
  Millis turn();
  // Lets another instance poll the mailbox at once (at a clean stop, after the last turn).
  void release();
  // One round: every page of new applications. An error (APF or journal unavailable) ends the
  // round; the cursor stays before what was not recorded.
  Result<PollReport> poll_once();

 private:
  enum class Outcome { kRecorded, kParked, kKnown };
  // Fetches, checks and records one application; its intake is committed when this returns.
  Result<Outcome> take(const ApplicationSummary& summary);
  void refresh_backlog();

  PollerSettings settings_;
  const ApfClient& apf_;
  journal::Journal& journal_;
  const documents::DocumentStore& documents_;
  MappingSource mappings_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::function<void()> work_accepted_;
  runtime::WorkPool* pool_;
  Millis wait_;  // turns only
};

}  // namespace portier::afs
