#include "service/watchdog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace paygate::service {
namespace {

using namespace std::chrono_literals;

// Two event loops the test answers for by hand: a loop that does not run its
// answer is a stuck loop.
struct FakeLoops {
  std::mutex mutex;
  std::vector<std::function<void()>> questions;
  bool answer_at_once = true;

  int ask(const std::function<void()>& answer) {
    const std::lock_guard lock(mutex);
    for (int loop = 0; loop < 2; ++loop) {
      if (answer_at_once) {
        answer();
      } else {
        questions.push_back(answer);
      }
    }
    return 2;
  }
  void answer_all() {
    std::vector<std::function<void()>> pending;
    {
      const std::lock_guard lock(mutex);
      pending.swap(questions);
      answer_at_once = true;
    }
    for (auto& a : pending) a();
  }
};

template <class Pred>
bool within(std::chrono::milliseconds timeout, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

TEST(Watchdog, PetsWhileEveryLoopAnswers) {
  FakeLoops loops;
  std::atomic<int> pets{0};
  Watchdog watchdog(
      40ms, [&](const auto& a) { return loops.ask(a); }, [&] { ++pets; });
  EXPECT_TRUE(within(2s, [&] { return pets.load() >= 5; })) << pets.load();
}

TEST(Watchdog, StopsPettingWhileALoopIsStuckAndGoesOnWhenItAnswers) {
  FakeLoops loops;
  loops.answer_at_once = false;  // one question asked, never answered: stuck
  std::atomic<int> pets{0};
  Watchdog watchdog(
      40ms, [&](const auto& a) { return loops.ask(a); }, [&] { ++pets; });
  std::this_thread::sleep_for(300ms);  // 15 periods in which a pet would be due
  EXPECT_EQ(pets.load(), 0);
  loops.answer_all();
  EXPECT_TRUE(within(2s, [&] { return pets.load() >= 2; })) << pets.load();
}

TEST(Watchdog, AnAnswerAfterTheWatchdogIsGoneIsHarmless) {
  FakeLoops loops;
  loops.answer_at_once = false;
  {
    Watchdog watchdog(
        40ms, [&](const auto& a) { return loops.ask(a); }, [] {});
    ASSERT_TRUE(within(2s, [&] {
      const std::lock_guard lock(loops.mutex);
      return !loops.questions.empty();
    }));
  }
  loops.answer_all();  // runs answers whose watchdog was destroyed: no crash (ASan checks)
}

}  // namespace
}  // namespace paygate::service
