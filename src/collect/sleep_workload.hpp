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

std::unique_ptr<Dataset> make_sleep_dataset(std::size_t instances);
// One law for every instance, always right. Replicas (concurrent workers) draw from
// independent streams of the same seed.
std::unique_ptr<Backend> make_sleep_backend(SleepLaw law, std::uint64_t seed, unsigned replica = 0);
// Each instance its own law and outcome.
std::unique_ptr<Backend> make_sleep_backend(SleepModel model, std::uint64_t seed,
                                            unsigned replica = 0);

}  // namespace tailq
