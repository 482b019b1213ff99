#include "service/watchdog.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include "core/thread_name.h"

namespace paygate::service {

struct Watchdog::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  int pending = 0;  // loops that have not answered the current question
  long round = 0;   // which question an answer belongs to
};

void Watchdog::run(const std::shared_ptr<State>& shared, std::chrono::microseconds period,
                   const AskLoops& ask_loops, const std::function<void()>& pet) {
  State& s = *shared;
  std::unique_lock lock(s.mutex);
  while (!s.stopping) {
    // A question is asked only once every loop answered the previous one: a
    // stuck loop keeps pending above zero, and no pet is sent until it answers.
    if (s.pending == 0) {
      const long round = ++s.round;
      s.pending = 1;  // held while the questions are posted
      lock.unlock();
      const int asked = ask_loops([weak = std::weak_ptr(shared), round] {
        const auto state = weak.lock();
        if (!state) return;
        const std::lock_guard answered(state->mutex);
        if (round == state->round) --state->pending;
      });
      lock.lock();
      s.pending += asked - 1;
    }
    s.wake.wait_for(lock, period, [&s] { return s.stopping; });
    if (s.stopping) break;
    if (s.pending == 0) {
      lock.unlock();
      pet();
      lock.lock();
    }
  }
}

Watchdog::Watchdog(std::chrono::microseconds interval, AskLoops ask_loops,
                   std::function<void()> pet)
    : state_(std::make_shared<State>()) {
  thread_ = named_thread("watchdog",
                         [state = state_, period = interval / 2, ask_loops = std::move(ask_loops),
                          pet = std::move(pet)] { run(state, period, ask_loops, pet); });
}

Watchdog::~Watchdog() {
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  thread_.join();
}

}  // namespace paygate::service
