#include "collect/sleep_workload.hpp"

#include <chrono>
#include <pcg_random.hpp>
#include <random>
#include <thread>

#include "tailq/error.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

double parse_seconds(const std::string& text, const std::string& law) {
  try {
    const auto specs = parse_thresholds(text);
    if (specs.size() == 1 && specs[0].kind == ThresholdSpec::Kind::absolute) return specs[0].value;
  } catch (const InputError&) {
  }
  throw InputError("--sleep-dist '" + law + "': '" + text + "' is not a time such as 2ms or 0.002");
}

class SleepDataset final : public Dataset {
 public:
  explicit SleepDataset(std::size_t n) : n_(n) {}
  std::string name() const override { return "sleep-" + std::to_string(n_); }
  std::size_t size() const override { return n_; }
  std::string label(std::size_t) const override { return "ok"; }
  std::vector<std::int64_t> instance_shape() const override { return {1}; }
  const std::vector<std::string>& classes() const override { return classes_; }
  void prepare(std::span<const std::uint32_t> instances, Batch& batch) override {
    for (std::size_t i = 0; i < instances.size(); ++i) {
      batch.input[i] = static_cast<float>(instances[i]);
    }
    batch.size = instances.size();
    batch.shape[0] = static_cast<std::int64_t>(instances.size());
    batch.shape[1] = 1;
  }

 private:
  std::size_t n_;
  std::vector<std::string> classes_ = {"ok"};
};

class SleepBackend final : public Backend {
 public:
  SleepBackend(SleepLaw law, std::uint64_t seed) : law_(law), rng_(seed) {}
  std::string description() const override { return "sleep (a controlled ground truth)"; }
  void infer(const Batch& batch, BatchOutput& out) override {
    double wait = 0;
    for (std::size_t i = 0; i < batch.size; ++i) wait += draw();
    precise_wait(wait);
    for (std::size_t i = 0; i < batch.size; ++i) out.scores[i] = 1.0f;
  }

 private:
  double draw() {
    switch (law_.kind) {
      case SleepLaw::Kind::constant:
        return law_.a;
      case SleepLaw::Kind::exponential:
        return std::exponential_distribution<double>(1.0 / law_.a)(rng_);
      case SleepLaw::Kind::lognormal:
        return law_.a * std::exp(law_.b * normal_(rng_));
    }
    return law_.a;
  }
  // The OS wakes a sleeper late by tens of microseconds: sleep to 200 us before the deadline
  // and spin the rest.
  static void precise_wait(double seconds) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(seconds));
    const auto spin_from = deadline - std::chrono::microseconds(200);
    if (Clock::now() < spin_from) std::this_thread::sleep_until(spin_from);
    while (Clock::now() < deadline) {
    }
  }

  SleepLaw law_;
  pcg32 rng_;
  std::normal_distribution<double> normal_;
};

}  // namespace

SleepLaw parse_sleep_law(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  SleepLaw law;
  if (parts[0] == "const" && parts.size() == 2) {
    law.kind = SleepLaw::Kind::constant;
    law.a = parse_seconds(parts[1], text);
  } else if (parts[0] == "exp" && parts.size() == 2) {
    law.kind = SleepLaw::Kind::exponential;
    law.a = parse_seconds(parts[1], text);
  } else if (parts[0] == "lognormal" && parts.size() == 3) {
    law.kind = SleepLaw::Kind::lognormal;
    law.a = parse_seconds(parts[1], text);
    try {
      law.b = std::stod(parts[2]);
    } catch (const std::exception&) {
      law.b = -1;
    }
    if (!(law.b >= 0)) {
      throw InputError("--sleep-dist '" + text + "': sigma '" + parts[2] +
                       "' is not a number >= 0");
    }
  } else {
    throw InputError("--sleep-dist '" + text +
                     "': expected const:T, exp:MEAN or lognormal:MEDIAN:SIGMA");
  }
  if (!(law.a > 0)) throw InputError("--sleep-dist '" + text + "': the time must be positive");
  return law;
}

std::unique_ptr<Dataset> make_sleep_dataset(std::size_t instances) {
  if (instances == 0) throw InputError("--instances must be positive");
  return std::make_unique<SleepDataset>(instances);
}

std::unique_ptr<Backend> make_sleep_backend(SleepLaw law, std::uint64_t seed) {
  return std::make_unique<SleepBackend>(law, seed);
}

}  // namespace tailq
