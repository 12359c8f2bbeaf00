#include "tailq/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tailq/error.hpp"
#include "tailq/trace.hpp"

namespace tailq {

void generate_synthetic_trace(const SyntheticSpec& spec, const std::filesystem::path& path,
                              bool overwrite) {
  if (!(spec.round_phi >= 0 && spec.round_phi < 1)) {
    throw InputError("synthetic trace: the round factor's autocorrelation must lie in [0, 1)");
  }
  if (spec.instances == 0 || spec.batch_size == 0 || spec.rounds == 0 || spec.classes < 2) {
    throw InputError(
        "synthetic trace: instances, batch size and rounds must be positive and "
        "there must be at least 2 classes");
  }
  std::mt19937_64 rng(spec.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::size_t> any_class(0, spec.classes - 1);

  const std::size_t n = spec.instances;
  const std::size_t batches = (n + spec.batch_size - 1) / spec.batch_size;
  std::vector<Instance> instances(n);
  Outcomes outcomes;
  std::vector<double> batch_size_units(batches, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    Instance& instance = instances[i];
    instance.name = std::to_string(i);
    instance.batch = static_cast<std::uint32_t>(i / spec.batch_size);
    // Input size (e.g. pixels of a resized image) in units of the average input.
    const double size = 0.5 + unit(rng);
    instance.input_size = size;
    batch_size_units[instance.batch] += size;

    const std::size_t label = any_class(rng);
    std::vector<std::size_t> ranked;
    if (unit(rng) < spec.accuracy) ranked.push_back(label);
    while (ranked.size() < std::min<std::size_t>(5, spec.classes)) {
      const std::size_t c = any_class(rng);
      if (std::find(ranked.begin(), ranked.end(), c) == ranked.end() &&
          (c != label || !ranked.empty())) {
        ranked.push_back(c);
      }
    }
    std::string prediction;
    for (std::size_t c : ranked) prediction += (prediction.empty() ? "" : " ") + std::to_string(c);
    outcomes.labels.push_back(std::to_string(label));
    outcomes.predictions.push_back(std::move(prediction));
  }

  Experiment experiment;
  experiment.model = "synthetic-classifier";
  experiment.dataset = "synthetic-" + std::to_string(n);
  experiment.backend = "synthetic";
  experiment.metric = "accuracy";
  experiment.settings_json = "{\"batch_size\":" + std::to_string(spec.batch_size) +
                             ",\"seed\":" + std::to_string(spec.seed) + "}";

  // Clocks, thermal state: a factor for the whole round, 1 + round_drift z with z an AR(1)
  // process of unit variance (z_0 ~ N(0, 1), then z_r = phi z_{r-1} + sqrt(1 - phi^2) e_r).
  std::normal_distribution<double> drift(0.0, 1.0);
  std::mt19937_64 time_rng(spec.time_seed.value_or(0));
  std::mt19937_64& times = spec.time_seed ? time_rng : rng;
  double z = 0;
  std::lognormal_distribution<double> jitter(0.0, 0.06);  // caches, scheduling: each batch
  std::lognormal_distribution<double> host(0.0, 0.15);    // pre/post-processing on the host
  write_trace_atomically(path, overwrite, [&](const std::filesystem::path& tmp) {
    TraceWriter writer = TraceWriter::create(tmp, experiment, instances, outcomes, false);
    std::vector<double> inference(batches), total(batches);
    for (std::size_t r = 0; r < spec.warmup_rounds + spec.rounds; ++r) {
      const bool warmup = r < spec.warmup_rounds;
      if (spec.round_drift > 0) {
        const double e = drift(times);
        z = r == 0 ? e : spec.round_phi * z + std::sqrt(1 - spec.round_phi * spec.round_phi) * e;
      }
      const double round_factor =
          (spec.round_drift > 0 ? std::max(0.5, 1 + spec.round_drift * z) : 1.0) *
          (warmup ? 2.5 : 1.0);
      for (std::size_t b = 0; b < batches; ++b) {
        // Rare stalls (preemption, page faults) make the far tail.
        const double stall = unit(times) < spec.stall_probability ? 1.5 + 3 * unit(times) : 1.0;
        // A fixed launch cost plus work proportional to the batch's input.
        inference[b] = spec.base_latency_s * (0.3 + 0.7 * batch_size_units[b]) * round_factor *
                       jitter(times) * stall;
        total[b] = inference[b] + spec.preprocess_s * host(times);
      }
      writer.append_round({static_cast<std::int64_t>(r), warmup, static_cast<double>(r)}, inference,
                          total);
    }
    writer.close();
  });
}

}  // namespace tailq
