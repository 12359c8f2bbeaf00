// Runs a body over every round of a source on several threads, each with its own cursor,
// buffer and state; rounds are handed out one at a time so uneven rounds balance themselves.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "tailq/round_source.hpp"

namespace tailq::detail {

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
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](State& state) {
    try {
      auto cursor = source.open_cursor();
      std::vector<double> times(source.batch_count());
      for (std::size_t r; (r = next.fetch_add(1)) < source.round_count();) {
        cursor->read(r, times);
        body(state, r, std::span<const double>(times));
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = source.round_count();  // stop the others early
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
