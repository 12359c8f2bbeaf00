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
// out. The first exception stops the tasks not yet started and is rethrown here.
template <class Lead, class Task>
void run_tasks(unsigned workers, std::size_t count, Lead lead, Task task) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  workers = static_cast<unsigned>(std::min<std::size_t>(workers, count + 1));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto guarded = [&](auto body) {
    try {
      body();
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;
    }
  };
  auto take_tasks = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) task(i);
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back([&] { guarded(take_tasks); });
  guarded(lead);
  guarded(take_tasks);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace tailq::detail
