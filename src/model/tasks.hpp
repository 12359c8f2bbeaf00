// Runs independent tasks of unequal size on a few threads, the calling thread included.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tailq::detail {

// Calls lead() once, then task(i) for every i in [0, count), on `workers` threads (0: one per
// core). The calling thread runs lead() while the others start on the tasks, which every thread
// takes one at a time from a shared counter, so that one large lead and many small tasks even
// out. An exception stops the tasks not yet started; the one rethrown here is that of the lead,
// else of the first task by index, so that the error reported does not depend on timing.
template <class Lead, class Task>
void run_tasks(unsigned workers, std::size_t count, Lead lead, Task task) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  workers = static_cast<unsigned>(std::min<std::size_t>(workers, count + 1));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::size_t error_rank = 0;  // 0 for the lead, i + 1 for task i
  std::mutex error_mutex;
  auto fail = [&](std::size_t rank) {
    std::lock_guard lock(error_mutex);
    if (!error || rank < error_rank) {
      error = std::current_exception();
      error_rank = rank;
    }
    next = count;
  };
  auto take_tasks = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      try {
        task(i);
      } catch (...) {
        fail(i + 1);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(take_tasks);
  try {
    lead();
  } catch (...) {
    fail(0);
  }
  take_tasks();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace tailq::detail
