#include "core/app/scheduled_purge.h"

#include <utility>

#include "core/base/log.h"

namespace portier::app {
namespace {

constexpr char kLease[] = "purge";

}  // namespace

ScheduledPurge::ScheduledPurge(retention::Purge purge, journal::Journal& journal,
                               const Clock& clock, metrics::Registry& metrics, Millis interval)
    : purge_(std::move(purge)),
      journal_(journal),
      clock_(clock),
      metrics_(metrics),
      interval_(interval) {
  metrics_.describe("portier_purged_total", "counter",
                    "Items whose content the purge deleted (retention ran out), by department "
                    "and kind (documents, submissions, receipts, personalData).");
  metrics_.describe("portier_purge_files_deleted_total", "counter",
                    "Document-store files the purge deleted.");
  metrics_.describe("portier_purge_failures_total", "counter", "Purges that failed.");
}

Millis ScheduledPurge::turn() {
  auto held = journal_.hold_lease(kLease, journal_.instance(), clock_.now_ms(), interval_.count());
  if (!held.is_ok() || !*held) return interval_;  // another instance purges this time
  auto report = purge_.run("portierd");
  if (!report.is_ok()) {
    metrics_.increment("portier_purge_failures_total");
    log::error("purge failed", {{"error", report.status().to_string()}});
    return interval_;
  }
  for (const auto& [key, count] : retention::count_by_department_and_kind(report->purged)) {
    metrics_.increment("portier_purged_total", {{"department", key.first}, {"kind", key.second}},
                       static_cast<double>(count));
  }
  metrics_.increment("portier_purge_files_deleted_total", {},
                     static_cast<double>(report->files_deleted));
  return interval_;
}

void ScheduledPurge::release() { journal_.release_lease(kLease, journal_.instance()).ignore(); }

}  // namespace portier::app
