// Threads named as `top -H`, `ps -L`, perf and gdb show them, so that which
// thread is busy (the SQLite writer, an I/O thread) is plain without a
// debugger.
#pragma once

#include <pthread.h>

#include <string>
#include <thread>
#include <utility>

namespace paygate {

inline void name_thread(pthread_t thread, std::string name) {
  if (name.size() > 15) name.resize(15);  // Linux keeps 15 characters
  pthread_setname_np(thread, name.c_str());
}

// Names the calling thread, for threads a library starts.
inline void name_this_thread(std::string name) {
  name_thread(pthread_self(), std::move(name));
}

// Starts a thread named `name` that runs body. The name is set before this
// returns, so whoever started the thread can rely on it being visible.
template <class Body>
std::thread named_thread(std::string name, Body body) {
  std::thread thread(std::move(body));
  name_thread(thread.native_handle(), std::move(name));
  return thread;
}

}  // namespace paygate
