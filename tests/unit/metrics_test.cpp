#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/registry.h"

namespace paygate::metrics {
namespace {

TEST(Registry, RendersCountersWithEscapedLabels) {
  Registry r;
  r.counter("x_total", "Things.", {{"route", "/a/{id}"}, {"q", "say \"hi\"\\\n"}}).inc(3);
  const std::string text = r.render();
  EXPECT_NE(text.find("# HELP x_total Things.\n# TYPE x_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_total{route=\"/a/{id}\",q=\"say \\\"hi\\\"\\\\\\n\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(Registry, SameNameAndLabelsIsOneCounter) {
  Registry r;
  r.counter("c_total", "h", {{"a", "1"}}).inc();
  r.counter("c_total", "h", {{"a", "1"}}).inc();
  r.counter("c_total", "h", {{"a", "2"}}).inc();
  EXPECT_EQ(r.counter("c_total", "h", {{"a", "1"}}).value(), 2u);
  EXPECT_THROW(r.histogram("c_total", "h", latency_buckets()), std::logic_error);
}

TEST(Histogram, BucketsAreCumulativeWithInfCountAndSum) {
  Registry r;
  static constexpr double kBounds[] = {1, 5};
  auto& h = r.histogram("h_seconds", "Times.", kBounds, {{"route", "/x"}});
  h.observe(0.5);
  h.observe(1);  // le is inclusive
  h.observe(3);
  h.observe(10);
  const std::string text = r.render();
  EXPECT_NE(text.find("# TYPE h_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{route=\"/x\",le=\"5\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_sum{route=\"/x\"} 14.5\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_count{route=\"/x\"} 4\n"), std::string::npos);
}

TEST(Counter, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  Counter& c = r.counter("n_total", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10'000; ++i) c.inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40'000u);
}

}  // namespace
}  // namespace paygate::metrics
