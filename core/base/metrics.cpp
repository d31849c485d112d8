#include "core/base/metrics.h"

#include <charconv>
#include <cstdio>

namespace portier::metrics {
namespace {

constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                               0.05,   0.1,   0.25,   0.5,   1,    2.5};

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"" + escape(labels[i].second) + "\"";
  }
  if (!extra.empty()) {
    if (!labels.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

// The shortest text that reads back as the same double (0.0005, not 0.00050000000000000001).
std::string number(double v) {
  char buf[400];  // fixed notation of the largest double needs 309 digits
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

}  // namespace

void Registry::increment(const std::string& name, const Labels& labels, double by) {
  std::lock_guard lock(mutex_);
  families_[name].values[labels] += by;
}

void Registry::set_gauge(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = "gauge";
  f.values[labels] = value;
}

void Registry::clear_gauge(const std::string& name) {
  std::lock_guard lock(mutex_);
  families_[name].values.clear();
}

void Registry::observe(const std::string& name, const Labels& labels, double seconds) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = "histogram";
  Histogram& h = f.histograms[labels];
  if (h.buckets.empty()) h.buckets.assign(std::size(kBuckets), 0);
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Registry::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
}

void Registry::on_render(std::function<void(Registry&)> refresh) {
  std::lock_guard lock(mutex_);
  refreshers_.push_back(std::move(refresh));
}

void Registry::set_common_labels(Labels labels) {
  std::lock_guard lock(mutex_);
  common_ = std::move(labels);
}

std::vector<std::pair<Labels, double>> Registry::values(const std::string& name) {
  std::vector<std::function<void(Registry&)>> refreshers;
  {
    std::lock_guard lock(mutex_);
    refreshers = refreshers_;
  }
  for (auto& refresh : refreshers) refresh(*this);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Labels, double>> out;
  auto it = families_.find(name);
  if (it == families_.end()) return out;
  for (const auto& [labels, value] : it->second.values) out.emplace_back(labels, value);
  return out;
}

std::string Registry::render() {
  std::vector<std::function<void(Registry&)>> refreshers;
  {
    std::lock_guard lock(mutex_);
    refreshers = refreshers_;
  }
  for (auto& refresh : refreshers) refresh(*this);

  std::lock_guard lock(mutex_);
  auto with_common = [this](const Labels& own) {
    if (common_.empty()) return own;
    Labels all = common_;
    all.insert(all.end(), own.begin(), own.end());
    return all;
  };
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [own, value] : f.values) {
      const Labels labels = with_common(own);
      out += name + label_text(labels) + " " + number(value) + "\n";
    }
    for (const auto& [own, h] : f.histograms) {
      const Labels labels = with_common(own);
      for (size_t i = 0; i < h.buckets.size(); ++i) {
        out += name + "_bucket" + label_text(labels, "le=\"" + number(kBuckets[i]) + "\"") + " " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += name + "_bucket" + label_text(labels, "le=\"+Inf\"") + " " + std::to_string(h.count) +
             "\n";
      out += name + "_sum" + label_text(labels) + " " + number(h.sum) + "\n";
      out += name + "_count" + label_text(labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace portier::metrics
