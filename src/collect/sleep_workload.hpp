// The `sleep` workload: a controlled ground truth for tests and demos. Every instance waits a
// time drawn from one law, precisely (sleep, then spin through the last 200 us), and always
// answers right. Not a model: it only makes the harness's numbers checkable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tailq/harness.hpp"

namespace tailq {

// "const:T", "exp:MEAN", "lognormal:MEDIAN:SIGMA"; times with units (1ms, 250us) or seconds.
// Throws InputError naming the bad part.
struct SleepLaw {
  enum class Kind { constant, exponential, lognormal } kind = Kind::constant;
  double a = 0, b = 0;  // seconds (constant, mean, median) and sigma
};
SleepLaw parse_sleep_law(const std::string& text);

// Per-instance laws and outcomes: a CSV with header `law,correct` and one row per instance
// (e.g. `lognormal:2ms:0.1,1`); a wrong answer is predicted as class "wrong". Throws InputError
// naming file and line.
struct SleepModel {
  std::vector<SleepLaw> laws;
  std::vector<bool> correct;
};
SleepModel read_sleep_model(const std::string& path);

// A round-speed process: every time of round r is multiplied by exp(s_r), where s is a
// stationary AR(1) process, s_r = phi s_{r-1} + sqrt(1 - phi^2) sd e_r with standard normal e
// ("ar1:SD:PHI", e.g. ar1:0.05:0.8; SD on the log scale, 0 <= PHI < 1). Rounds are counted by
// the instances served: every `instances` served begin the next round, warm-up rounds included.
// The ground truth for the precision rule's tests (docs/precision.md).
struct RoundEffect {
  double sd = 0, phi = 0;
};
RoundEffect parse_round_effect(const std::string& text);  // throws InputError

std::unique_ptr<Dataset> make_sleep_dataset(std::size_t instances);
// One law for every instance, always right. Replicas (concurrent workers) draw from
// independent streams of the same seed.
std::unique_ptr<Backend> make_sleep_backend(SleepLaw law, std::uint64_t seed, unsigned replica = 0);
// Each instance its own law and outcome.
std::unique_ptr<Backend> make_sleep_backend(SleepModel model, std::uint64_t seed,
                                            unsigned replica = 0);
// With a round-speed process over rounds of `instances` instances (its own random stream).
std::unique_ptr<Backend> make_sleep_backend(SleepModel model, std::uint64_t seed, unsigned replica,
                                            RoundEffect effect, std::size_t instances);

}  // namespace tailq
