// Monte Carlo prediction of the tail-quality distribution (docs/method.md 4b), validated on
// held-out rounds.
//
// A time model is fitted per batch (every instance of a batch shares its time) on training
// rounds: a Gaussian KDE with the ISJ bandwidth. A simulated round draws each batch's time from
// its KDE; its quality under each deadline comes from the same engine as measured rounds, so a
// prediction is a TailQuality like a measurement.
//   independent:  batches independent of each other, as in the paper.
//   round-effect: a real system's rounds are correlated (a slow round is slow for many
//     batches), so each simulated round first draws a round factor from the training rounds'
//     median times relative to their median, and scales times fitted on de-trended data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/engine.hpp"
#include "tailq/round_source.hpp"
#include "tailq/shards.hpp"
#include "tailq/trace.hpp"

namespace tailq {

enum class TimeModelKind { independent, round_effect };
std::string_view to_string(TimeModelKind kind);
TimeModelKind parse_time_model(std::string_view text);  // throws InputError

// Per-batch KDEs fitted on training rounds; immutable, shared by simulation threads.
class TimeModel {
 public:
  // `rounds` holds T training rounds round-major ([round][batch]) for `batch_count` batches.
  TimeModel(std::span<const double> rounds, std::size_t batch_count, TimeModelKind kind,
            unsigned threads = 0);
  // Fits the KDE bandwidths of batches [first_batch, last_batch) alone, those of the others
  // being 0 until set_bandwidths gives them all: how the ranks of a sharded prediction share
  // the fitting (each batch's fit depends on its own times alone).
  TimeModel(std::span<const double> rounds, std::size_t batch_count, TimeModelKind kind,
            unsigned threads, std::size_t first_batch, std::size_t last_batch);
  void set_bandwidths(std::vector<double> bandwidths);  // batch_count() of them
  TimeModelKind kind() const { return kind_; }
  std::size_t batch_count() const { return batches_; }
  std::span<const double> bandwidths() const { return bandwidth_; }
  // Fills `out` with simulated round `round` (batch_count() times): counter-based, so round r
  // of seed s is the same whatever thread draws it and in whatever order.
  void simulate(std::uint64_t seed, std::uint64_t round, std::span<double> out) const;

 private:
  TimeModelKind kind_;
  std::size_t batches_;
  std::size_t training_;
  std::vector<double> samples_;    // [batch][training round], de-trended for round-effect
  std::vector<double> bandwidth_;  // per batch
  std::vector<double> factors_;    // per training round (round-effect); 1 otherwise
  double factor_bandwidth_ = 0;    // of the KDE of log factors
};

// S simulated rounds of a time model, as a RoundSource for the engine: the model's rounds
// first_round, first_round + 1, ... (a rank's share of a sharded prediction).
class SimulatedRoundSource final : public RoundSource {
 public:
  SimulatedRoundSource(const TimeModel& model, std::size_t rounds, std::uint64_t seed,
                       std::uint64_t first_round = 0)
      : model_(model), rounds_(rounds), seed_(seed), first_(first_round) {}
  std::size_t round_count() const override { return rounds_; }
  std::size_t batch_count() const override { return model_.batch_count(); }
  std::unique_ptr<Cursor> open_cursor() const override;

 private:
  const TimeModel& model_;
  std::size_t rounds_;
  std::uint64_t seed_;
  std::uint64_t first_;
};

// The deadlines of `tailq predict` when none are given (the CLI and the Python module).
inline constexpr std::string_view kDefaultPredictionThresholds = "p90,p95,p99";

struct PredictionRequest {
  TimeKind time = TimeKind::total;
  std::string metric;  // empty: the trace's default
  std::vector<ThresholdSpec> thresholds;
  std::size_t holdout = 0;  // 0: automatic, min(30, a third of the measured rounds)
  std::size_t simulations = 1000;
  std::vector<TimeModelKind> models = {TimeModelKind::independent, TimeModelKind::round_effect};
  std::uint64_t seed = 1;
  unsigned threads = 0;
};

struct ThresholdPrediction {
  std::string label;
  double seconds = 0;  // fixed from the training rounds
  Summary measured;    // over the held-out rounds
  Summary predicted;   // over the simulated rounds
  // Distribution of the minimum of `holdout` simulated rounds, to set against the measured
  // minimum of the held-out rounds: median and a 90% interval.
  double min_of_holdout_median = 0, min_of_holdout_p5 = 0, min_of_holdout_p95 = 0;
  double error_min = 0, error_mean = 0, error_std = 0;  // |predicted - measured|
  double js_distance = 0;  // between predicted and measured per-round quality histograms
  // Whether the measured worst held-out round lies in [min_of_holdout_p5, min_of_holdout_p95]:
  // when it does not, the model misses this system's bad rounds at this deadline.
  bool worst_inside_interval = true;
};

struct ModelPrediction {
  TimeModelKind model;
  std::vector<ThresholdPrediction> thresholds;
  double mean_abs_error = 0;  // of min (vs min_of_holdout_median), mean and std, all deadlines
};

struct PredictionReport {
  std::size_t training_rounds = 0, holdout_rounds = 0, simulations = 0;
  std::string metric;
  std::string time;
  std::vector<ModelPrediction> models;
  std::size_t best_model = 0;  // index into models: lowest mean_abs_error
  // What the held-out rounds can tell apart: the standard error of their mean quality,
  // averaged over the deadlines (docs/method.md 4b). A model is called better only when its
  // mean absolute error is lower by more than this; otherwise best_is_clear is false.
  double error_resolution = 0;
  bool best_is_clear = false;
};

PredictionReport predict_trace(const TraceReader& trace, const PredictionRequest& request);
// The same shared by the ranks of an MPI job (tailq/shards.hpp): each fits a share of the batches
// and simulates a share of the rounds; rank 0 returns the report, byte for byte the one process's
// (simulated round r draws from its own random stream whatever rank draws it), the others an
// empty one.
PredictionReport predict_trace(const TraceReader& trace, const PredictionRequest& request,
                               Shards& shards);

}  // namespace tailq
