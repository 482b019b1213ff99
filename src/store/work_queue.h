// What both backends hand to their database threads: a piece of work and who
// to tell, queued until a thread takes it.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string_view>

#include "store/database.h"

namespace paygate::store {

struct WorkTask {
  Work work;
  Done done;
};

struct WorkQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<WorkTask> tasks;
  bool stopping = false;
};

// Queues work for the queue's threads, unless the queue is stopping or
// already holds `limit` tasks: then done hears SERVICE_UNAVAILABLE at once
// ("overloaded", naming `what` is waiting), so that memory and latency stay
// bounded under any load.
void enqueue(WorkQueue& queue, std::size_t limit, std::string_view what, Work work, Done done);

// How much work the queue holds, against its limit.
QueueDepth depth(WorkQueue& queue, std::size_t limit);

// Stops the queue taking work (enqueue answers SERVICE_UNAVAILABLE from now
// on) and wakes every thread waiting on it, so that each can finish what is
// queued and return.
void close_queue(WorkQueue& queue);

// Runs work, turning an escaping exception into an error, so that one broken
// request can never take a database thread down with it.
Status run_guarded(Work work, Connection& conn);

}  // namespace paygate::store
