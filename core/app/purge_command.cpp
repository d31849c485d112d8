#include <cstdio>
#include <optional>

#include "core/app/commands.h"
#include "core/base/clock.h"
#include "core/documents/document_store.h"
#include "core/mapping/loader.h"
#include "core/retention/purge.h"

namespace portier::app {
namespace {

void print_items(const std::vector<retention::ExpiredContent>& items) {
  std::printf("%-16s %-13s %6s\n", "DEPARTMENT", "KIND", "COUNT");
  for (const auto& [key, count] : retention::count_by_department_and_kind(items)) {
    std::printf("%-16s %-13s %6lld\n", key.first.c_str(), key.second.c_str(),
                static_cast<long long>(count));
  }
  std::printf("\n%-16s %-13s %-24s %-9s %s\n", "DEPARTMENT", "KIND", "FINISHED", "RETENTION",
              "WHAT");
  for (const retention::ExpiredContent& e : items) {
    std::printf("%-16s %-13s %-24s %-9s %s (sha256:%s)\n", e.content.department.c_str(),
                mapping::to_string(e.kind), format_utc(e.content.finished_ms).c_str(),
                mapping::format_days(e.retention).c_str(), e.what.c_str(),
                e.content.content_sha256.c_str());
  }
}

}  // namespace

int purge_command(journal::Journal& journal, const config::Config& config, const Args& args) {
  const bool dry_run = args.size() == 1 && args[0] == "--dry-run";
  if (!args.empty() && !dry_run) {
    std::fputs("usage: portierctl purge [--dry-run]\n", stderr);
    return 2;
  }
  // The retention periods are the mapping files' as they are now.
  mapping::LoadResult mappings = mapping::load_folder(config.mappings_folder);
  if (!mappings.set) {
    for (const auto& p : mappings.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    return 2;
  }
  std::optional<documents::DocumentStore> documents;
  if (!config.documents.folder.empty()) {
    auto store = documents::DocumentStore::open(config.documents.folder);
    if (!store.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", store.status().to_string().c_str());
      return 1;
    }
    documents.emplace(std::move(*store));
  }
  SystemClock clock;
  retention::Purge purge(
      journal, [set = mappings.set] { return set; }, documents ? &*documents : nullptr, clock);
  if (dry_run) {
    auto expired = purge.expired();
    if (!expired.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", expired.status().to_string().c_str());
      return 1;
    }
    std::printf("dry run: %zu items would be purged; nothing was changed\n\n", expired->size());
    print_items(*expired);
    return 0;
  }
  auto report = purge.run("portierctl");
  if (!report.is_ok()) {
    std::fprintf(stderr, "portierctl: %s\n", report.status().to_string().c_str());
    return 1;
  }
  std::printf("purged %zu items, %lld files deleted, by portierctl\n\n", report->purged.size(),
              static_cast<long long>(report->files_deleted));
  print_items(report->purged);
  return 0;
}

}  // namespace portier::app
