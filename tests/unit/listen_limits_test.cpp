#include "http/listen_limits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

namespace paygate::http {
namespace {

TEST(ListenLimits, BacklogIsSomaxconnAsProcShowsIt) {
  EXPECT_EQ(listen_backlog_from("4096\n"), 4096);
  EXPECT_EQ(listen_backlog_from("65535"), 65535);
  EXPECT_EQ(listen_backlog_from("128 \n"), 128);
}

TEST(ListenLimits, BacklogFallsBackToSomaxconnConstantOnNonsense) {
  EXPECT_EQ(listen_backlog_from(""), SOMAXCONN);
  EXPECT_EQ(listen_backlog_from("0"), SOMAXCONN);
  EXPECT_EQ(listen_backlog_from("-5"), SOMAXCONN);
  EXPECT_EQ(listen_backlog_from("4096x"), SOMAXCONN);
  EXPECT_EQ(listen_backlog_from("99999999999999"), SOMAXCONN);
}

TEST(ListenLimits, BacklogOfThisMachineIsPositive) {
  EXPECT_GT(listen_backlog(), 0);
}

TEST(ListenLimits, OpenFileLimitIsRaisedToTheHardOne) {
  const OpenFileLimit limit = raise_open_file_limit();
  EXPECT_GT(limit.soft, 0u);
  EXPECT_EQ(limit.soft,
            limit.hard == static_cast<std::uint64_t>(RLIM_INFINITY) ? 1u << 20 : limit.hard);
}

}  // namespace
}  // namespace paygate::http
