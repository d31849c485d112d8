#include "core/mapping/registry.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>
#include <vector>

#include "core/base/digest.h"
#include "core/base/log.h"

namespace portier::mapping {
namespace {

namespace fs = std::filesystem;

constexpr char kReloadFailures[] = "portier_mapping_reload_failures_total";
constexpr char kSetValid[] = "portier_mapping_set_valid";
constexpr char kMappingsInForce[] = "portier_mappings_in_force";

void log_problems(const LoadResult& result) {
  for (const config::Problem& p : result.problems) {
    log::error("mapping problem", {{"problem", p.to_string()}});
  }
}

}  // namespace

Registry::Registry(std::string folder, metrics::Registry& metrics)
    : folder_(std::move(folder)),
      metrics_(metrics),
      current_(std::make_shared<const MappingSet>(std::vector<DepartmentMapping>{})) {
  metrics_.describe(kReloadFailures, "counter",
                    "Reloads of the mapping files refused because of a problem; the previous "
                    "mappings stayed in force.");
  metrics_.describe(kSetValid, "gauge",
                    "1 if the mapping files as they are now are in force, 0 if the last reload "
                    "found a problem.");
  metrics_.describe(kMappingsInForce, "gauge", "Department applications (mappings) in force.");
}

LoadResult Registry::load_now() const {
  if (folder_.empty()) {
    LoadResult none;
    none.set = std::make_shared<const MappingSet>(std::vector<DepartmentMapping>{});
    return none;
  }
  return load_folder(folder_);
}

LoadResult Registry::load() {
  std::lock_guard lock(reload_mutex_);
  LoadResult result = load_now();
  if (result.set) {
    std::atomic_store(&current_, result.set);
    metrics_.set_gauge(kSetValid, {}, 1);
    metrics_.set_gauge(kMappingsInForce, {}, static_cast<double>(result.set->all().size()));
  } else {
    metrics_.set_gauge(kSetValid, {}, 0);
  }
  return result;
}

std::shared_ptr<const MappingSet> Registry::current() const { return std::atomic_load(&current_); }

bool Registry::reload() {
  std::lock_guard lock(reload_mutex_);
  LoadResult result = load_now();
  if (!result.set) {
    log_problems(result);
    const size_t in_force = std::atomic_load(&current_)->all().size();
    log::error("mapping files not reloaded; the previous mappings stay in force",
               {{"folder", folder_},
                {"problems", std::to_string(result.problems.size())},
                {"mappings", std::to_string(in_force)}});
    metrics_.increment(kReloadFailures);
    metrics_.set_gauge(kSetValid, {}, 0);
    std::lock_guard problems_lock(problems_mutex_);
    last_problems_ = result.problems;
    return false;
  }
  const size_t count = result.set->all().size();
  std::atomic_store(&current_, std::shared_ptr<const MappingSet>(std::move(result.set)));
  metrics_.set_gauge(kSetValid, {}, 1);
  metrics_.set_gauge(kMappingsInForce, {}, static_cast<double>(count));
  {
    std::lock_guard problems_lock(problems_mutex_);
    last_problems_.clear();
  }
  log::info("mapping files reloaded", {{"folder", folder_}, {"mappings", std::to_string(count)}});
  return true;
}

std::vector<config::Problem> Registry::last_problems() const {
  std::lock_guard lock(problems_mutex_);
  return last_problems_;
}

std::string Registry::fingerprint() const {
  if (folder_.empty()) return "none";
  std::error_code error;
  if (!fs::is_directory(folder_, error)) return "missing";
  std::vector<std::string> stamps;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") || entry.path().extension() != ".xml") continue;
    std::error_code ignored;
    const auto size = entry.file_size(ignored);
    const auto modified = entry.last_write_time(ignored).time_since_epoch();
    stamps.push_back(
        name + "\t" + std::to_string(size) + "\t" +
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(modified).count()));
  }
  if (error) return "unreadable";
  std::sort(stamps.begin(), stamps.end());
  std::string all;
  for (const std::string& stamp : stamps) all += stamp + "\n";
  return sha256_hex(all);
}

}  // namespace portier::mapping
