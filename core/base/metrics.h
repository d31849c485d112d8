#pragma once
// Counters, gauges and histograms with labels, rendered as Prometheus text. Thread-safe: all
// updates are atomic or under a per-family mutex; render() may run concurrently with updates.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace portier::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  void increment(const std::string& name, const Labels& labels = {}, double by = 1);
  void set_gauge(const std::string& name, const Labels& labels, double value);
  // Observes a duration in seconds into a histogram with fixed latency buckets.
  void observe(const std::string& name, const Labels& labels, double seconds);
  // Declares a family's help text and type ("counter", "gauge", "histogram").
  void describe(const std::string& name, const std::string& type, const std::string& help);
  // A callback run at every render, to refresh gauges that are read rather than pushed.
  void on_render(std::function<void(Registry&)> refresh);
  // Forgets every series of a gauge family (before setting a fresh set of them).
  void clear_gauge(const std::string& name);
  // Labels every rendered series carries first, e.g. the instance among several sharing work.
  void set_common_labels(Labels labels);

  std::string render();
  // The current series of a counter or gauge family (after the render callbacks ran), for
  // readers other than Prometheus (the operators' console). Histograms are not included.
  std::vector<std::pair<Labels, double>> values(const std::string& name);

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string type = "counter";
    std::string help;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(Registry&)>> refreshers_;
  Labels common_;
};

}  // namespace portier::metrics
