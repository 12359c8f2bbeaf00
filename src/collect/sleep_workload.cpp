#include "collect/sleep_workload.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <pcg_random.hpp>
#include <random>
#include <thread>

#include "tailq/run_options.hpp"
#include "tailq/error.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

constexpr double kMaxSleepSeconds = 3600;
constexpr double kMaxSleepSigma = 10;

double parse_seconds(const std::string& text, const std::string& law) {
  try {
    const auto specs = parse_thresholds(text);
    if (specs.size() == 1 && specs[0].kind == ThresholdSpec::Kind::absolute) return specs[0].value;
  } catch (const InputError&) {
  }
  throw OptionError("sleep_distribution", "'" + law + "': '" + text + "' is not a time such as 2ms or 0.002");
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
  std::vector<std::string> classes_ = {"ok", "wrong"};
};

// The stream of the round-speed process, apart from the per-instance draws.
constexpr std::uint64_t kRoundEffectStream = 0x5eed;

class SleepBackend final : public Backend {
 public:
  SleepBackend(SleepModel model, std::uint64_t seed, unsigned replica, RoundEffect effect = {},
               std::size_t instances = 0)
      : model_(std::move(model)),
        rng_(replica == 0 ? pcg32(seed) : pcg32(seed, replica)),
        effect_(effect),
        per_round_(instances),
        speed_rng_(seed, kRoundEffectStream + replica) {
    if (per_round_ > 0) speed_ = effect_.sd * normal_(speed_rng_);  // stationary start
  }
  std::string description() const override { return "sleep (a controlled ground truth)"; }
  void infer(const Batch& batch, BatchOutput& out) override {
    // The dataset passes instance ids as the input; one law alone serves every instance.
    double wait = 0;
    for (std::size_t i = 0; i < batch.size; ++i) {
      const auto id = static_cast<std::size_t>(batch.input[i]);
      const std::size_t k = model_.laws.size() == 1 ? 0 : id;
      wait += draw(model_.laws[k]) * std::exp(speed_);
      next_instance();
      const bool right = model_.correct[k];
      out.scores[i * out.width] = right ? 1.0f : 0.0f;
      out.scores[i * out.width + 1] = right ? 0.0f : 1.0f;
    }
    precise_wait(wait);
  }

 private:
  double draw(const SleepLaw& law) {
    switch (law.kind) {
      case SleepLaw::Kind::constant:
        return law.a;
      case SleepLaw::Kind::exponential:
        return std::exponential_distribution<double>(1.0 / law.a)(rng_);
      case SleepLaw::Kind::lognormal:
        return law.a * std::exp(law.b * normal_(rng_));
    }
    return law.a;
  }
  // The OS wakes a sleeper late by tens of microseconds: sleep to 200 us before the deadline
  // and spin the rest.
  static void precise_wait(double seconds) {
    using Clock = std::chrono::steady_clock;
    // A lognormal draw can be astronomically long; no batch waits more than an hour.
    seconds = std::min(seconds, kMaxSleepSeconds);
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(seconds));
    const auto spin_from = deadline - std::chrono::microseconds(200);
    if (Clock::now() < spin_from) std::this_thread::sleep_until(spin_from);
    while (Clock::now() < deadline) {
    }
  }

  void next_instance() {
    if (per_round_ == 0 || ++served_ % per_round_ != 0) return;
    const double phi = effect_.phi;
    speed_ = phi * speed_ + std::sqrt(1 - phi * phi) * effect_.sd * normal_(speed_rng_);
  }

  SleepModel model_;
  pcg32 rng_;
  std::normal_distribution<double> normal_;
  RoundEffect effect_;
  std::size_t per_round_;  // instances per round; 0: no round effect
  pcg32 speed_rng_;
  std::size_t served_ = 0;
  double speed_ = 0;  // log of this round's time factor
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
    const std::string& sigma = parts[2];
    const auto [ptr, ec] = std::from_chars(sigma.data(), sigma.data() + sigma.size(), law.b);
    if (sigma.empty() || ec != std::errc() || ptr != sigma.data() + sigma.size()) law.b = -1;
    if (!(law.b >= 0)) {
      throw OptionError("sleep_distribution", "'" + text + "': sigma '" + parts[2] +
                       "' is not a number >= 0");
    }
  } else {
    throw OptionError("sleep_distribution", "'" + text +
                     "': expected const:T, exp:MEAN or lognormal:MEDIAN:SIGMA");
  }
  if (!(law.a > 0)) throw OptionError("sleep_distribution", "'" + text + "': the time must be positive");
  // A ground truth for tests and demos: beyond these, waits overflow the clock's range.
  if (law.a > kMaxSleepSeconds) {
    throw OptionError("sleep_distribution", "'" + text + "': the time must be at most 1h");
  }
  if (law.b > kMaxSleepSigma) {
    throw OptionError("sleep_distribution", "'" + text + "': sigma must be at most 10");
  }
  return law;
}

RoundEffect parse_round_effect(const std::string& text) {
  const std::string shown =
      "expected ar1:SD:PHI such as ar1:0.05:0.8 (SD >= 0 on the log scale, "
      "0 <= PHI < 1), got '" + text + "'";
  if (!text.starts_with("ar1:")) throw InputError(shown);
  const auto colon = text.find(':', 4);
  if (colon == std::string::npos) throw InputError(shown);
  auto number = [&](const std::string& part) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) {
      throw InputError(shown);
    }
    return value;
  };
  const RoundEffect effect{number(text.substr(4, colon - 4)), number(text.substr(colon + 1))};
  if (!(effect.sd >= 0 && effect.sd <= kMaxSleepSigma) || !(effect.phi >= 0 && effect.phi < 1)) {
    throw InputError(shown);
  }
  return effect;
}

std::unique_ptr<Dataset> make_sleep_dataset(std::size_t instances) {
  if (instances == 0) throw OptionError("sleep_instances", "must be positive");
  return std::make_unique<SleepDataset>(instances);
}

std::unique_ptr<Backend> make_sleep_backend(SleepLaw law, std::uint64_t seed, unsigned replica) {
  return std::make_unique<SleepBackend>(SleepModel{{law}, {true}}, seed, replica);
}

std::unique_ptr<Backend> make_sleep_backend(SleepModel model, std::uint64_t seed,
                                            unsigned replica) {
  return std::make_unique<SleepBackend>(std::move(model), seed, replica);
}

std::unique_ptr<Backend> make_sleep_backend(SleepModel model, std::uint64_t seed, unsigned replica,
                                            RoundEffect effect, std::size_t instances) {
  return std::make_unique<SleepBackend>(std::move(model), seed, replica, effect, instances);
}

SleepModel read_sleep_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the sleep model");
  SleepModel model;
  std::string line;
  std::size_t number = 1;
  if (!std::getline(in, line) || (line != "law,correct" && line != "law,correct\r")) {
    throw InputError(path + ":1: expected the header law,correct");
  }
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.rfind(',');
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (comma == std::string::npos) throw InputError(where + "expected law,correct");
    const std::string flag = line.substr(comma + 1);
    if (flag != "0" && flag != "1") throw InputError(where + "correct: expected 0 or 1");
    try {
      model.laws.push_back(parse_sleep_law(line.substr(0, comma)));
    } catch (const InputError& e) {
      throw InputError(where + "law: " + e.what());
    }
    model.correct.push_back(flag == "1");
  }
  if (model.laws.empty()) throw InputError(path + ": no instances");
  return model;
}

}  // namespace tailq
