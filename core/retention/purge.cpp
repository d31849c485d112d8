#include "core/retention/purge.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/base/log.h"
#include "core/model/redaction.h"

namespace portier::retention {
namespace {

using journal::ContentSource;
using journal::FinishedContent;
using mapping::ContentKind;

constexpr int kPage = 500;          // finished content read at a time
constexpr size_t kPerCommit = 100;  // purged in one transaction
constexpr int64_t kDayMs = 86'400'000;

constexpr ContentSource kSources[] = {ContentSource::kWorkItem, ContentSource::kReceipt,
                                      ContentSource::kIdentityLink, ContentSource::kEvent};

ContentKind kind_of(const FinishedContent& c) {
  switch (c.source) {
    case ContentSource::kWorkItem:
      if (c.message && c.message->__isset.documentDelivery) return ContentKind::kDocuments;
      if (c.message && c.message->__isset.formSubmission) return ContentKind::kSubmissions;
      return ContentKind::kPersonalData;
    case ContentSource::kReceipt:
      return ContentKind::kReceipts;
    case ContentSource::kIdentityLink:
    case ContentSource::kEvent:
      return ContentKind::kPersonalData;
  }
  return ContentKind::kPersonalData;
}

// The department's retention for the content, or the defaults for a department without a
// mapping (any more).
std::chrono::days retention_of(const FinishedContent& c, ContentKind kind,
                               const mapping::MappingSet& mappings) {
  const mapping::DepartmentMapping* m = mappings.by_name(c.department);
  if (m == nullptr) return mapping::Retention().of(kind);
  if (kind == ContentKind::kDocuments) {
    const mapping::DocumentKind* k = m->document_kind(c.message->documentDelivery.documentKind);
    if (k != nullptr && k->retention) return *k->retention;
  }
  return m->retention.of(kind);
}

// The shortest retention anywhere: nothing that finished later can have expired.
std::chrono::days shortest(const mapping::MappingSet& mappings) {
  const mapping::Retention defaults;
  std::chrono::days least = std::min(
      {defaults.documents, defaults.submissions, defaults.receipts, defaults.personal_data});
  for (const mapping::DepartmentMapping& m : mappings.all()) {
    const mapping::Retention& r = m.retention;
    least = std::min({least, r.documents, r.submissions, r.receipts, r.personal_data});
    for (const mapping::DocumentKind& k : m.document_kinds) {
      if (k.retention) least = std::min(least, *k.retention);
    }
  }
  return least;
}

std::string describe(const FinishedContent& c) {
  switch (c.source) {
    case ContentSource::kWorkItem: {
      const model::Message& m = *c.message;
      if (m.__isset.documentDelivery) {
        return "document " + m.documentDelivery.documentKind + " of delivery " +
               m.documentDelivery.deliveryId;
      }
      if (m.__isset.formSubmission) {
        return "form submission " + m.formSubmission.submissionId + " (form " +
               m.formSubmission.formId + ")";
      }
      return model::kind_of(m) + " of work item " + c.id;
    }
    case ContentSource::kReceipt:
      return "receipt of delivery " + c.delivery_id;
    case ContentSource::kIdentityLink:
      return "person data of identity link " + c.id;
    case ContentSource::kEvent:
      return "detail of event " + c.id;
  }
  return c.id;
}

std::string evidence_detail(const ExpiredContent& e, const std::string& by) {
  std::string detail = "purged: " + e.what + ", digest sha256:" + e.content.content_sha256;
  for (const std::string& file : e.content.files) {
    if (file != e.content.content_sha256) detail += ", file sha256:" + file;
  }
  return detail + ", retention " + mapping::format_days(e.retention) + ", by " + by;
}

std::string summary(const std::vector<ExpiredContent>& purged, int64_t files,
                    const std::string& by) {
  std::map<std::string, int64_t> per_kind;
  for (const ExpiredContent& e : purged) ++per_kind[mapping::to_string(e.kind)];
  std::string text = "purged";
  for (const auto& [kind, count] : per_kind) text += " " + std::to_string(count) + " " + kind;
  return text + ", " + std::to_string(files) + " files deleted, by " + by;
}

}  // namespace

PurgeCounts count_by_department_and_kind(const std::vector<ExpiredContent>& items) {
  PurgeCounts counts;
  for (const ExpiredContent& e : items)
    ++counts[{e.content.department, mapping::to_string(e.kind)}];
  return counts;
}

Purge::Purge(journal::Journal& journal, Mappings mappings,
             const documents::DocumentStore* documents, const Clock& clock,
             std::chrono::milliseconds file_grace)
    : journal_(journal),
      mappings_(std::move(mappings)),
      documents_(documents),
      clock_(clock),
      file_grace_(file_grace) {}

Status Purge::for_each_expired(const std::function<Status(std::vector<ExpiredContent>&)>& take) {
  const std::shared_ptr<const mapping::MappingSet> mappings = mappings_();
  const int64_t now = clock_.now_ms();
  const int64_t finished_before = now - shortest(*mappings).count() * kDayMs;
  for (ContentSource source : kSources) {
    std::string after;
    for (;;) {
      auto page = journal_.finished_content(source, finished_before, after, kPage);
      if (!page.is_ok()) return page.status();
      std::vector<ExpiredContent> expired;
      for (FinishedContent& c : *page) {
        // A work item whose payload is damaged has no message left to redact.
        if (source == ContentSource::kWorkItem && !c.message) continue;
        const ContentKind kind = kind_of(c);
        const std::chrono::days keep = retention_of(c, kind, *mappings);
        if (c.finished_ms + keep.count() * kDayMs > now) continue;
        ExpiredContent e{std::move(c), kind, keep, ""};
        e.what = describe(e.content);
        expired.push_back(std::move(e));
      }
      if (!expired.empty()) {
        if (Status s = take(expired); !s.is_ok()) return s;
      }
      if (page->size() < static_cast<size_t>(kPage)) break;
      after = page->back().id;
    }
  }
  return Status::ok();
}

Result<std::vector<ExpiredContent>> Purge::expired() {
  std::vector<ExpiredContent> all;
  Status s = for_each_expired([&all](std::vector<ExpiredContent>& page) {
    for (ExpiredContent& e : page) all.push_back(std::move(e));
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return all;
}

Result<PurgeReport> Purge::run(const std::string& by) {
  PurgeReport report;
  std::set<std::string> files;  // of what was purged; deleted at the end if nothing kept needs them
  Status s = for_each_expired(
      [&](std::vector<ExpiredContent>& page) { return purge_page(page, by, report, files); });
  if (!s.is_ok()) return s;
  auto deleted = delete_unused_files(files);
  if (!deleted.is_ok()) return deleted.status();
  report.files_deleted = *deleted;
  if (!report.purged.empty()) {
    const std::string text = summary(report.purged, report.files_deleted, by);
    log::info("purge", {{"summary", text}});
    journal::AuditEntry entry;
    entry.operation = "purge";
    entry.reason = text;
    // The content is gone and its evidence is recorded; a lost audit line only loses the
    // summary, which the evidence records repeat one by one.
    if (Status audited = journal_.audit(entry); !audited.is_ok()) {
      log::warn("purge: the audit log entry failed", {{"error", audited.to_string()}});
    }
  }
  return report;
}

Status Purge::purge_page(std::vector<ExpiredContent>& page, const std::string& by,
                         PurgeReport& report, std::set<std::string>& files) {
  for (size_t start = 0; start < page.size(); start += kPerCommit) {
    const size_t end = std::min(page.size(), start + kPerCommit);
    std::vector<journal::PurgeOrder> orders;
    for (size_t i = start; i < end; ++i) {
      const ExpiredContent& e = page[i];
      journal::PurgeOrder order{e.content, evidence_detail(e, by), std::nullopt};
      if (e.content.message) order.kept = model::without_personal_data(*e.content.message);
      orders.push_back(std::move(order));
    }
    auto purged = journal_.purge_content(orders);
    if (!purged.is_ok()) return purged.status();
    for (size_t i = start; i < end; ++i) {
      if (!(*purged)[i - start]) continue;  // purged meanwhile by another instance
      ExpiredContent& e = page[i];
      files.insert(e.content.files.begin(), e.content.files.end());
      e.content.message.reset();
      report.purged.push_back(std::move(e));
    }
  }
  return Status::ok();
}

Result<int64_t> Purge::delete_unused_files(const std::set<std::string>& candidates) {
  if (documents_ == nullptr || candidates.empty()) return int64_t{0};
  // Read after the purge committed: what is still referred to now keeps its file.
  auto in_use = journal_.files_in_use();
  if (!in_use.is_ok()) return in_use.status();
  const int64_t stored_since = clock_.now_ms() - file_grace_.count();
  int64_t deleted = 0;
  for (const std::string& file : candidates) {
    if (in_use->contains(file)) continue;
    auto removed = documents_->remove(file, stored_since);
    if (!removed.is_ok()) return removed.status();
    if (*removed) ++deleted;
  }
  return deleted;
}

}  // namespace portier::retention
