#include "core/base/metrics.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace portier::metrics {
namespace {

// The rendered lines, for exact line matches.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const std::string& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

TEST(Metrics, CounterWithLabels) {
  Registry r;
  r.describe("portier_soap_requests_total", "counter", "Department SOAP requests");
  r.increment("portier_soap_requests_total",
              {{"operation", "openBusinessCase"}, {"outcome", "accepted"}});
  r.increment("portier_soap_requests_total",
              {{"operation", "openBusinessCase"}, {"outcome", "accepted"}});
  r.increment("portier_soap_requests_total",
              {{"operation", "reportStatus"}, {"outcome", "rejected"}}, 3);
  std::string text = r.render();
  EXPECT_TRUE(has_line(text, "# HELP portier_soap_requests_total Department SOAP requests"))
      << text;
  EXPECT_TRUE(has_line(text, "# TYPE portier_soap_requests_total counter")) << text;
  EXPECT_TRUE(has_line(
      text, R"(portier_soap_requests_total{operation="openBusinessCase",outcome="accepted"} 2)"))
      << text;
  EXPECT_TRUE(has_line(
      text, R"(portier_soap_requests_total{operation="reportStatus",outcome="rejected"} 3)"))
      << text;
}

TEST(Metrics, CounterWithoutLabelsAndWithoutDescription) {
  Registry r;
  r.increment("portier_things_total");
  std::string text = r.render();
  EXPECT_TRUE(has_line(text, "# TYPE portier_things_total counter")) << text;
  EXPECT_TRUE(has_line(text, "portier_things_total 1")) << text;
  EXPECT_EQ(text.find("# HELP portier_things_total"), std::string::npos) << text;
}

TEST(Metrics, HelpAndTypeComeBeforeTheSamples) {
  Registry r;
  r.increment("a_total");
  r.describe("a_total", "counter", "A things");
  std::vector<std::string> lines = lines_of(r.render());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "# HELP a_total A things");
  EXPECT_EQ(lines[1], "# TYPE a_total counter");
  EXPECT_EQ(lines[2], "a_total 1");
}

TEST(Metrics, GaugeIsSetNotAdded) {
  Registry r;
  r.set_gauge("portier_journal_depth", {{"destination", "portal"}, {"state", "pending"}}, 5);
  r.set_gauge("portier_journal_depth", {{"destination", "portal"}, {"state", "pending"}}, 2);
  r.set_gauge("portier_parked_items", {}, 0.5);
  std::string text = r.render();
  EXPECT_TRUE(has_line(text, "# TYPE portier_journal_depth gauge")) << text;
  EXPECT_TRUE(has_line(text, R"(portier_journal_depth{destination="portal",state="pending"} 2)"))
      << text;
  EXPECT_TRUE(has_line(text, "portier_parked_items 0.5")) << text;
}

TEST(Metrics, ClearGaugeForgetsItsSeries) {
  Registry r;
  r.set_gauge("g", {{"destination", "old"}}, 1);
  r.clear_gauge("g");
  r.set_gauge("g", {{"destination", "new"}}, 2);
  std::string text = r.render();
  EXPECT_EQ(text.find(R"(destination="old")"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, R"(g{destination="new"} 2)")) << text;
}

TEST(Metrics, HistogramHasCumulativeBucketsSumAndCount) {
  Registry r;
  r.describe("portier_http_request_seconds", "histogram", "Request latency");
  const Labels labels{{"route", "/soap/v1"}};
  r.observe("portier_http_request_seconds", labels, 0.003);  // <= 0.005
  r.observe("portier_http_request_seconds", labels, 0.2);    // <= 0.25
  r.observe("portier_http_request_seconds", labels, 10);     // only +Inf
  std::string text = r.render();
  EXPECT_TRUE(has_line(text, "# TYPE portier_http_request_seconds histogram")) << text;
  auto bucket = [](const std::string& le) {
    return R"(portier_http_request_seconds_bucket{route="/soap/v1",le=")" + le + "\"}";
  };
  EXPECT_TRUE(has_line(text, bucket("0.001") + " 0")) << text;
  EXPECT_TRUE(has_line(text, bucket("0.01") + " 1")) << text;
  EXPECT_TRUE(has_line(text, bucket("0.25") + " 2")) << text;
  EXPECT_TRUE(has_line(text, bucket("0.5") + " 2")) << text;
  EXPECT_TRUE(has_line(text, bucket("2.5") + " 2")) << text;
  EXPECT_TRUE(has_line(text, bucket("+Inf") + " 3")) << text;
  EXPECT_TRUE(has_line(text, R"(portier_http_request_seconds_count{route="/soap/v1"} 3)")) << text;
  // The sum as a number: 10.203 (the last digits depend on floating point).
  size_t at = text.find(R"(portier_http_request_seconds_sum{route="/soap/v1"} )");
  ASSERT_NE(at, std::string::npos) << text;
  double sum = std::stod(text.substr(text.find("} ", at) + 2));
  EXPECT_NEAR(sum, 10.203, 1e-9);

  // Buckets never decrease and end at the count.
  uint64_t previous = 0;
  int buckets = 0;
  for (const std::string& line : lines_of(text)) {
    if (!line.starts_with("portier_http_request_seconds_bucket")) continue;
    uint64_t value = std::stoull(line.substr(line.rfind(' ') + 1));
    EXPECT_GE(value, previous) << line;
    previous = value;
    ++buckets;
  }
  EXPECT_EQ(previous, 3u);
  EXPECT_GE(buckets, 2);
}

TEST(Metrics, BucketBoundariesAreWrittenAsPlainDecimals) {
  // Dashboards and alerts select buckets by their label text, e.g. le="0.1"; Prometheus client
  // libraries write the shortest decimal form.
  Registry r;
  r.observe("latency_seconds", {}, 0.07);
  std::string text = r.render();
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25", "0.5", "1", "2.5", "+Inf"}) {
    EXPECT_NE(text.find(std::string("latency_seconds_bucket{le=\"") + le + "\"}"),
              std::string::npos)
        << "le=" << le << " missing in\n"
        << text;
  }
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.increment("odd_total", {{"path", "C:\\dir"}, {"quote", "say \"hi\""}, {"nl", "a\nb"}});
  std::string text = r.render();
  EXPECT_TRUE(has_line(text, R"(odd_total{path="C:\\dir",quote="say \"hi\"",nl="a\nb"} 1)"))
      << text;
}

TEST(Metrics, RenderRunsRefreshers) {
  Registry r;
  int calls = 0;
  r.on_render([&calls](Registry& registry) {
    ++calls;
    registry.set_gauge("refreshed", {}, calls);
  });
  EXPECT_TRUE(has_line(r.render(), "refreshed 1"));
  EXPECT_TRUE(has_line(r.render(), "refreshed 2"));
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r] {
      for (int i = 0; i < 10'000; ++i) r.increment("c_total", {{"k", "v"}});
    });
  }
  threads.emplace_back([&r] {
    for (int i = 0; i < 100; ++i) r.render();
  });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(has_line(r.render(), R"(c_total{k="v"} 40000)"));
}

}  // namespace
}  // namespace portier::metrics
