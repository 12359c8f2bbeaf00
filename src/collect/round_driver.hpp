// Where the round loop gets its rounds from: the single-stream loop that issues the next query
// when the previous one is answered, or a load generator feeding concurrent workers. Either
// way a round answers every instance once; the loop only stores and judges whole rounds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tailq/run.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

struct RoundRecord {
  std::vector<double> inference_s, total_s;  // per trace batch
  std::vector<std::uint32_t> top;            // kTopK classes per instance, best first
  std::vector<std::string> texts;            // text answer per instance (no classes only)
  std::vector<QueryTiming> timings;          // per instance; load scenarios only
  std::vector<std::uint8_t> failed;          // per instance: 1 when it got no answer
  std::size_t failures = 0;                  // instances that got none
  std::string last_failure;                  // why the last one got none
  double started_unix_s = 0;
  double ended_unix_s = 0;  // set by the loop, for rounds that keep it (an MPI job's)
};

inline double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class RoundDriver {
 public:
  virtual ~RoundDriver() = default;
  // Measures round `index` (consecutive calls get consecutive indices) into `record`. Returns
  // false when `stop` was set before the round was complete: nothing of it is kept.
  virtual bool next_round(std::int64_t index, RoundRecord& record) = 0;
};

// Trace batches: the executed batches when the order never changes; one per instance when it
// does (with --shuffle, or under load, where a batch's members change from round to round).
bool per_instance_batches(const RunSettings& settings);

std::unique_ptr<RoundDriver> make_single_stream_driver(Workload& workload,
                                                       const RunSettings& settings,
                                                       const std::atomic<bool>& stop);

// Runs the load scenario of `settings` at `offered_qps` (instances per second; none for
// offline) with one worker per workload. The generator issues at most `rounds` rounds; it keeps
// its schedule whether or not the workers keep up, and runs ahead of next_round() while the
// caller stores a round. Destroying the driver abandons the rounds in flight.
std::unique_ptr<RoundDriver> make_load_driver(std::vector<Workload*> workers,
                                              const RunSettings& settings,
                                              std::optional<double> offered_qps,
                                              std::int64_t first_round, std::size_t rounds,
                                              const std::atomic<bool>& stop);

}  // namespace tailq::detail
