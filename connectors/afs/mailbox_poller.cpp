#include "connectors/afs/mailbox_poller.h"

#include <atomic>
#include <optional>
#include <set>

#include "connectors/afs/submission_check.h"
#include "core/base/digest.h"
#include "core/base/log.h"
#include "core/cases/form_submission.h"
#include "core/cases/vocabulary.h"
#include "core/mapping/form_fields.h"

namespace portier::afs {
namespace {

constexpr uint64_t kMaxPartBytes = 64ull << 20;

std::string feed_of(const std::string& mailbox) { return "afs:" + mailbox; }

Result<std::string> keep(const documents::DocumentStore& store, const std::string& bytes) {
  auto stored = store.store_bytes(bytes, kMaxPartBytes);
  if (!stored.is_ok()) return stored.status();
  return stored->sha256_hex;
}

// Why the application cannot go to a department as it is ("" if it can), with its fields.
struct Verdict {
  std::string problem;
  const mapping::DepartmentMapping* department = nullptr;
  const mapping::FormRule* rule = nullptr;
  mapping::FormFields fields;
};

Verdict judge(const Application& a, const mapping::MappingSet& mappings,
              const xml::GuardLimits& limits) {
  Verdict v;
  if (std::string why = integrity_problem(a); !why.empty()) {
    v.problem = why;
    return v;
  }
  v.department = mappings.by_form(a.summary.form_id, &v.rule);
  if (v.department == nullptr) {
    v.problem = "formId '" + a.summary.form_id + "': no mapping takes this form";
    return v;
  }
  auto fields = mapping::map_form_fields(*v.department->forms, *v.rule, a.form_data, limits);
  if (!fields.is_ok()) {
    v.problem = fields.status().message();
    return v;
  }
  v.fields = std::move(*fields);
  return v;
}

}  // namespace

MailboxPoller::MailboxPoller(PollerSettings settings, const ApfClient& apf,
                             journal::Journal& journal, const documents::DocumentStore& documents,
                             MappingSource mappings, const Clock& clock, metrics::Registry& metrics,
                             std::function<void()> work_accepted, runtime::WorkPool* pool)
    : settings_(std::move(settings)),
      apf_(apf),
      journal_(journal),
      documents_(documents),
      mappings_(std::move(mappings)),
      clock_(clock),
      metrics_(metrics),
      work_accepted_(std::move(work_accepted)),
      pool_(pool),
      wait_(settings_.poll) {
  metrics_.describe("portier_afs_submissions_total", "counter",
                    "Submissions taken from an APF mailbox, by mailbox and outcome "
                    "(recorded, parked)");
  metrics_.describe("portier_afs_poll_errors_total", "counter",
                    "APF mailbox rounds ended by an error (APF or journal unavailable)");
  metrics_.describe("portier_afs_backlog", "gauge",
                    "Submissions recorded from an APF mailbox and not yet taken over");
  metrics_.describe("portier_afs_oldest_untaken_seconds", "gauge",
                    "Age (since submission) of the oldest submission not yet taken over");
  metrics_.describe("portier_afs_parked", "gauge",
                    "Submissions of an APF mailbox parked (not taken over)");
}

Millis MailboxPoller::turn() {
  auto round = poll_once();
  if (!round.is_ok()) {
    metrics_.increment("portier_afs_poll_errors_total", {{"mailbox", settings_.mailbox}});
    log::warn("afs: mailbox round failed",
              {{"mailbox", settings_.mailbox}, {"error", round.status().message()}});
  }
  refresh_backlog();
  // While the APF fails, wait longer each time, up to a minute.
  wait_ = round.is_ok() ? settings_.poll : std::min<Millis>(wait_ * 2, std::chrono::minutes(1));
  return wait_;
}

void MailboxPoller::release() {
  // Best effort: a lease that cannot be released expires by itself.
  journal_.release_lease(feed_of(settings_.mailbox), settings_.holder).ignore();
}

void MailboxPoller::refresh_backlog() {
  auto b = journal_.backlog(takeover_destination(settings_.mailbox));
  if (!b.is_ok()) return;
  const metrics::Labels labels{{"mailbox", settings_.mailbox}};
  metrics_.set_gauge("portier_afs_backlog", labels, static_cast<double>(b->open));
  metrics_.set_gauge("portier_afs_parked", labels, static_cast<double>(b->parked));
  // The oldest open take-over is the oldest untaken submission; its age counts from when the
  // citizen submitted it (as the APF says), or else from when Portier recorded it.
  int64_t since = b->oldest_open_ms;
  if (b->open > 0) {
    auto oldest = journal_.get(b->oldest_open_id);
    if (oldest.is_ok() && oldest->item.message.__isset.formSubmission) {
      const auto& f = oldest->item.message.formSubmission;
      if (f.__isset.submittedAtMs && f.submittedAtMs > 0) since = f.submittedAtMs;
    }
  }
  double age = b->open > 0 ? std::max<int64_t>(0, clock_.now_ms() - since) / 1000.0 : 0.0;
  metrics_.set_gauge("portier_afs_oldest_untaken_seconds", labels, age);
}

Result<PollReport> MailboxPoller::poll_once() {
  PollReport report;
  const std::string feed = feed_of(settings_.mailbox);
  const int64_t lease_ms = settings_.lease.count();
  auto leased = journal_.hold_lease(feed, settings_.holder, clock_.now_ms(), lease_ms);
  if (!leased.is_ok()) return leased.status();
  if (!*leased) {
    report.leased = false;
    return report;
  }
  auto cursor = journal_.feed_cursor(feed);
  if (!cursor.is_ok()) return cursor.status();
  const std::string since = *cursor > 0 ? format_utc(*cursor) : "";
  std::string token;
  std::set<std::string> seen;
  do {
    auto page = apf_.list(settings_.mailbox, since, token, settings_.page_size);
    if (!page.is_ok()) return page.status();
    int64_t newest = *cursor;
    std::vector<const ApplicationSummary*> fresh;
    for (const ApplicationSummary& s : page->items) {
      ++report.listed;
      newest = std::max(newest, s.submitted_at_ms);
      if (seen.insert(s.application_id).second) {
        fresh.push_back(&s);
      } else {
        ++report.known;
      }
    }
    // A page's applications are fetched, stored and recorded side by side: their fsyncs
    // overlap and their intakes share group commits. The cursor moves only once all are in.
    std::vector<std::optional<Result<Outcome>>> outcomes(fresh.size());
    const auto take_one = [&](size_t i) { outcomes[i] = take(*fresh[i]); };
    if (pool_ != nullptr) {
      pool_->side_by_side(fresh.size(), kParallelTakes, take_one);
    } else {
      for (size_t i = 0; i < fresh.size(); ++i) take_one(i);
    }
    for (auto& outcome : outcomes) {
      if (!outcome->is_ok()) return outcome->status();
      switch (**outcome) {
        case Outcome::kRecorded:
          ++report.recorded;
          break;
        case Outcome::kParked:
          ++report.parked;
          break;
        case Outcome::kKnown:
          ++report.known;
          break;
      }
    }
    if (newest > *cursor) {
      if (Status s = journal_.advance_feed(feed, newest, {}); !s.is_ok()) return s;
    }
    if (report.recorded + report.parked > 0 && work_accepted_) work_accepted_();
    token = page->next_page_token;
    if (page->items.empty()) break;
    // Renew the lease per page; losing it (a long pause) ends the round.
    auto still = journal_.hold_lease(feed, settings_.holder, clock_.now_ms(), lease_ms);
    if (!still.is_ok()) return still.status();
    if (!*still) {
      report.leased = false;
      break;
    }
  } while (!token.empty());
  return report;
}

Result<MailboxPoller::Outcome> MailboxPoller::take(const ApplicationSummary& summary) {
  const std::string key = submission_key(settings_.mailbox, summary.application_id);
  auto known = journal_.knows_intake(key);
  if (!known.is_ok()) return known.status();
  if (*known) return Outcome::kKnown;

  auto fetched = apf_.get(summary.application_id);
  Application a;
  std::string unreadable;
  if (fetched.is_ok()) {
    a = std::move(*fetched);
  } else {
    // Gone meanwhile (taken over or deleted in the APF): nothing to hand on.
    if (fetched.status().code() == StatusCode::kNotFound) return Outcome::kKnown;
    if (fetched.status().code() != StatusCode::kInvalidArgument) return fetched.status();
    // An answer we cannot read is this application's fault: park it rather than stall.
    unreadable = fetched.status().message();
    a.summary = summary;
    a.form_data_is_base64 = false;
  }
  if (a.summary.application_id != summary.application_id) {
    unreadable = "GetApplication answered for another application";
  }
  auto mappings = mappings_();
  Verdict v = judge(a, *mappings, settings_.xml_limits);
  if (!unreadable.empty()) v.problem = unreadable;

  model::FormSubmission submission;
  submission.mailbox = settings_.mailbox;
  submission.submissionId = summary.application_id;
  submission.formId = a.summary.form_id.empty() ? summary.form_id : a.summary.form_id;
  submission.__set_formVersion(a.summary.form_version);
  submission.__set_submittedAtMs(a.summary.submitted_at_ms);
  // The bytes are kept whatever the verdict, so a parked submission can be inspected.
  if (a.form_data_is_base64) {
    auto sha = keep(documents_, a.form_data);
    if (!sha.is_ok()) return sha.status();
    submission.payloadSha256 = *sha;
  }
  if (a.pdf && a.pdf->content_is_base64) {
    auto sha = keep(documents_, a.pdf->content);
    if (!sha.is_ok()) return sha.status();
    submission.__set_pdfSha256(*sha);
  }
  std::vector<std::string> attachments;
  for (const ApplicationFile& f : a.attachments) {
    if (!f.content_is_base64) continue;
    auto sha = keep(documents_, f.content);
    if (!sha.is_ok()) return sha.status();
    attachments.push_back(*sha);
  }
  submission.__set_attachmentSha256s(attachments);

  cases::PolledSubmission polled{key,    std::move(submission), a.owner_id, v.problem, v.department,
                                 v.rule, std::move(v.fields)};
  cases::FormIntake recorded = cases::record_form_submission(std::move(polled), clock_.now_ms());
  const std::string bpid = recorded.business_process_id;
  const bool parked = !recorded.problem.empty();
  auto outcome = journal::accept_and_wait(journal_, std::move(recorded.intake));
  if (!outcome.is_ok()) return outcome.status();
  const bool was_parked = cases::was_parked(outcome->answer);
  if (!outcome->duplicate) {
    metrics_.increment(
        "portier_afs_submissions_total",
        {{"mailbox", settings_.mailbox}, {"outcome", was_parked ? "parked" : "recorded"}});
    if (was_parked) {
      log::warn("afs: submission parked",
                {{"mailbox", settings_.mailbox},
                 {"application_id", summary.application_id},
                 {"reason", parked ? recorded.problem : std::string("unknown business case")}});
    } else {
      log::info("afs: submission recorded", {{"mailbox", settings_.mailbox},
                                             {"application_id", summary.application_id},
                                             {"business_process_id", bpid}});
    }
  }
  if (outcome->duplicate) return Outcome::kKnown;
  return was_parked ? Outcome::kParked : Outcome::kRecorded;
}

}  // namespace portier::afs
