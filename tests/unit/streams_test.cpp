// The pure parts of the live streams: SSE message framing, the stream limits
// and the request log's bounded queues.
#include "api/streams.h"

#include <gtest/gtest.h>

#include "core/event_hub.h"
#include "http/request_log.h"

namespace paygate {
namespace {

TEST(SseMessage, FramesIdEventAndDataWithABlankLine) {
  std::string out;
  api::append_sse_message(out, 42, "payment.success", R"({"id":"evt_1"})");
  api::append_sse_message(out, std::nullopt, "request", "{}");
  EXPECT_EQ(out,
            "id: 42\nevent: payment.success\ndata: {\"id\":\"evt_1\"}\n\n"
            "event: request\ndata: {}\n\n");
}

TEST(StreamCounter, LimitsPerMerchantAndInAllAndGivesPlacesBack) {
  StreamCounter counter(StreamLimits{3, 2});
  auto a1 = counter.acquire("mrc_a");
  auto a2 = counter.acquire("mrc_a");
  ASSERT_TRUE(a1 && a2);
  const auto a3 = counter.acquire("mrc_a");
  ASSERT_FALSE(a3);
  EXPECT_EQ(a3.error().http_status, 429);
  auto b1 = counter.acquire("mrc_b");
  ASSERT_TRUE(b1);
  EXPECT_FALSE(counter.acquire("mrc_c"));  // three in all
  a1->reset();
  EXPECT_TRUE(counter.acquire("mrc_c"));  // released at once, and again when it goes
  EXPECT_TRUE(counter.acquire("mrc_a"));
}

TEST(RequestLog, OnlyTheMerchantsReadersGetItsRequests) {
  http::RequestLog log;
  EXPECT_FALSE(log.wants("mrc_a"));
  auto reader = log.open("mrc_a");
  int wakes = 0;
  reader->set_waker([&] { ++wakes; });
  EXPECT_TRUE(log.wants("mrc_a"));
  EXPECT_FALSE(log.wants("mrc_b"));
  EXPECT_FALSE(log.wants(""));
  log.add("mrc_a", http::LoggedRequest{"req_1", "GET", "/api/v1/orders", 200, 1.5, {}, 1});
  log.add("mrc_b", http::LoggedRequest{"req_2", "GET", "/api/v1/orders", 200, 1.5, {}, 2});
  std::size_t dropped = 9;
  const auto got = reader->take(dropped);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].request_id, "req_1");
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(wakes, 1);
  reader.reset();
  EXPECT_FALSE(log.wants("mrc_a"));
}

TEST(RequestLog, ASlowReaderLosesItsOldestEntriesAndIsToldHowMany) {
  http::RequestLog log;
  auto reader = log.open("mrc_a");
  const std::size_t extra = 5;
  for (std::size_t i = 0; i < http::RequestLog::Reader::kMaxQueued + extra; ++i) {
    log.add("mrc_a", http::LoggedRequest{"req_" + std::to_string(i), "GET", "/", 200, 0, {}, 0});
  }
  std::size_t dropped = 0;
  const auto got = reader->take(dropped);
  EXPECT_EQ(got.size(), http::RequestLog::Reader::kMaxQueued);
  EXPECT_EQ(dropped, extra);
  EXPECT_EQ(got.front().request_id, "req_" + std::to_string(extra));
}

}  // namespace
}  // namespace paygate
