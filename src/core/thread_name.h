// Threads named as `top -H`, `ps -L`, perf and gdb show them, so that which
// thread is busy (the SQLite writer, an I/O thread) is plain without a
// debugger.
#pragma once

#include <pthread.h>

#include <string>
#include <thread>
#include <utility>

namespace paygate {

// Names the calling thread (Linux keeps 15 characters).
inline void name_this_thread(std::string name) {
  if (name.size() > 15) name.resize(15);
  pthread_setname_np(pthread_self(), name.c_str());
}

// Starts a thread named `name` that runs body.
template <class Body>
std::thread named_thread(std::string name, Body body) {
  return std::thread([name = std::move(name), body = std::move(body)]() mutable {
    name_this_thread(name);
    body();
  });
}

}  // namespace paygate
