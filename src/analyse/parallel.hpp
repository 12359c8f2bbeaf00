// Runs a body over every round of a source on several threads, each with its own cursor,
// buffer and state. Rounds are handed out in runs of consecutive rounds holding about
// kRunValues times: a cursor then reads rounds in order (a trace reads them ahead in one scan),
// and a million one-instance rounds do not each cost a trip to the shared counter; runs are
// small enough that uneven rounds still balance themselves.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "tailq/round_source.hpp"

namespace tailq::detail {

inline constexpr std::size_t kRunValues = std::size_t{1} << 14;

inline unsigned worker_count(unsigned requested, std::size_t rounds) {
  unsigned n = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(rounds, 1)));
}

// body(state, round_position, times) is called once per round; returns each worker's state.
template <class State, class MakeState, class Body>
std::vector<State> for_each_round(const RoundSource& source, unsigned threads, MakeState make_state,
                                  Body body) {
  const unsigned workers = worker_count(threads, source.round_count());
  std::vector<State> states;
  states.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) states.push_back(make_state());
  const std::size_t count = source.round_count();
  const std::size_t run =
      std::max<std::size_t>(1, kRunValues / std::max<std::size_t>(1, source.batch_count()));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const double* const in_memory = source.in_memory();
  const std::size_t batches = source.batch_count();
  auto work = [&](State& state) {
    try {
      auto cursor = in_memory ? nullptr : source.open_cursor();
      std::vector<double> times(in_memory ? 0 : batches);
      for (std::size_t first; (first = next.fetch_add(run)) < count;) {
        for (std::size_t r = first; r < std::min(count, first + run); ++r) {
          if (in_memory) {
            body(state, r, std::span<const double>(in_memory + r * batches, batches));
            continue;
          }
          cursor->read(r, times);
          body(state, r, std::span<const double>(times));
        }
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;  // stop the others early
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, std::ref(states[w]));
  work(states[0]);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return states;
}

}  // namespace tailq::detail
