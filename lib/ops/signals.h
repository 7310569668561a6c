// Signals taken by one thread: blocked in every thread (those started later
// inherit the mask) and waited for with sigwait/sigtimedwait, so no handler
// runs in an arbitrary thread.
#pragma once

#include <signal.h>

#include <initializer_list>

namespace connectrun {

// Blocks `signals` in the calling thread; returns them as a set to wait on.
inline sigset_t block_signals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace connectrun
