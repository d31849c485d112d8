#include "core/journal/backlog_bounds.h"

#include <algorithm>

namespace portier::journal {

void BacklogBounds::set_bound(const std::string& destination, int64_t max_items,
                              std::chrono::seconds retry_after) {
  auto& bound = bounds_[destination];
  if (!bound) bound = std::make_unique<Bound>();
  bound->max_items = max_items;
  bound->retry_after = std::max(std::chrono::seconds(1), retry_after);
}

void BacklogBounds::observe(const std::string& destination, int64_t backlog) {
  auto it = bounds_.find(destination);
  if (it == bounds_.end()) return;
  // Items admitted before this count are in it; a few admitted while it ran are counted twice
  // until the next one (refusing early, never late).
  it->second->admitted.store(0);
  it->second->counted.store(backlog);
}

Status BacklogBounds::admit(const std::string& destination) {
  auto it = bounds_.find(destination);
  if (it == bounds_.end() || it->second->max_items == 0) return Status::ok();
  Bound& b = *it->second;
  const int64_t backlog = b.counted.load() + b.admitted.load();
  if (backlog >= b.max_items) {
    b.refused.fetch_add(1);
    return resource_exhausted("destination " + destination + " has " + std::to_string(backlog) +
                              " undelivered items (its bound is " + std::to_string(b.max_items) +
                              ")")
        .with_retry_after(b.retry_after);
  }
  b.admitted.fetch_add(1);
  return Status::ok();
}

void BacklogBounds::settled(const std::string& destination) {
  auto it = bounds_.find(destination);
  if (it != bounds_.end()) it->second->admitted.fetch_sub(1);
}

std::map<std::string, BacklogBounds::Reading> BacklogBounds::readings() const {
  std::map<std::string, Reading> out;
  for (const auto& [name, b] : bounds_) {
    out[name] = {std::max<int64_t>(0, b->counted.load() + b->admitted.load()), b->max_items,
                 b->refused.load()};
  }
  return out;
}

}  // namespace portier::journal
