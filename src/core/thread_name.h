// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it, so
// that which thread is busy (the SQLite writer, an I/O thread) is plain
// without a debugger.
#pragma once

#include <pthread.h>

#include <string>

namespace paygate {

inline void name_this_thread(std::string name) {
  if (name.size() > 15) name.resize(15);  // Linux keeps 15 characters
  pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace paygate
