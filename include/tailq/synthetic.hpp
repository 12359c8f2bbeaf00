// A synthetic experiment with a known shape, for the demo, tests and benchmarks until real
// backends collect traces: a classifier whose per-batch time grows with its input size, with
// round-to-round drift, per-batch jitter and rare long stalls, as measured systems show.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace tailq {

struct SyntheticSpec {
  std::size_t rounds = 200;  // measured rounds
  std::size_t warmup_rounds = 2;
  std::size_t instances = 10000;
  std::size_t batch_size = 1;
  std::size_t classes = 100;
  double accuracy = 0.76;            // chance that the top-1 prediction is right
  double base_latency_s = 4e-3;      // median inference time of a batch of average inputs
  double preprocess_s = 0.8e-3;      // pre + post-processing added to inference for total time
  double round_drift = 0.02;         // sd of the factor shared by every batch of a round (0: none)
  // Lag-1 autocorrelation of that factor from round to round, an AR(1) process with the same
  // sd (0: independent rounds): a machine whose speed drifts over minutes.
  double round_phi = 0;
  // Times from their own random stream of this seed, so that replications share the instances
  // (sizes and answers) and differ only in time; empty: one stream of `seed` for everything.
  std::optional<std::uint64_t> time_seed;
  double stall_probability = 0.002;  // chance that a batch stalls for 1.5x to 4.5x its time
  std::uint64_t seed = 1;
};

// Writes the experiment as a new trace at `path` (atomically; refuses an existing file unless
// `overwrite`). Deterministic for a given spec.
void generate_synthetic_trace(const SyntheticSpec& spec, const std::filesystem::path& path,
                              bool overwrite = false);

}  // namespace tailq
