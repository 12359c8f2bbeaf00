// The convergence criterion of the time distribution (docs/method.md 4a), fed round by round.
//
// After every `fit_every` measured rounds the monitor fits a Gaussian KDE (ISJ bandwidth) to all
// times seen so far, evaluates it and each of the previous `window` fits on `eval_points` even
// points from the pooled minimum to maximum, adds 1e-8 to both densities, and takes the
// Jensen-Shannon distance; rJSD = sqrt(sum of the `window` distances / window). The time
// distribution has converged when rJSD <= tau. Warm-up rounds are not fed.
//
// Pooled times are kept as a fine histogram (relative bin width 2^-16, far below the KDE grid
// spacing), so a fit costs the same after ten rounds or ten thousand and memory does not grow
// with the rounds. ISJ's N (distinct values) is counted exactly up to 2^18 distinct values and
// estimated with HyperLogLog (about 0.8% error, 0.3% in the bandwidth) beyond.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tailq/shards.hpp"
#include "tailq/trace.hpp"

namespace tailq {

struct ConvergenceSettings {
  enum class Schedule {
    sliding,  // rJSD at every fit once `window` earlier fits exist
    paper,    // only at every window-th fit, as the authors' script
  };
  std::size_t fit_every = 2;
  std::size_t window = 5;
  double tau = 0.02;
  std::size_t eval_points = 1000;
  Schedule schedule = Schedule::sliding;
};
ConvergenceSettings::Schedule parse_schedule(std::string_view text);  // throws InputError

struct RjsdPoint {
  std::size_t round = 0;  // measured rounds fed when it was evaluated (1-based count)
  double rjsd = 0;
  double bandwidth = 0;  // of the fit, seconds
};

// Not thread-safe; one per time kind. Memory: the fine histogram and window + 1 fitted densities.
class RjsdMonitor {
 public:
  explicit RjsdMonitor(ConvergenceSettings settings = {});
  RjsdMonitor(RjsdMonitor&&) noexcept;
  RjsdMonitor& operator=(RjsdMonitor&&) noexcept;
  ~RjsdMonitor();

  // Feeds one measured round's batch times (seconds, finite, >= 0). Returns the rJSD when this
  // round completed a fit at which the criterion is evaluated.
  std::optional<double> add_round(std::span<const double> times);

  // Computes only the fits that fit `first` (0-based) and later ones are compared with, the
  // earlier ones being counted alone: the ranks of a sharded replay each evaluate a share of
  // the fits (and stop feeding rounds after their last).
  void skip_fits_before(std::size_t first);

  std::size_t rounds() const;
  // The last evaluated rJSD is <= tau.
  bool converged() const;
  const std::vector<RjsdPoint>& series() const;
  const ConvergenceSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same criterion per instance, for a chosen set of batches (every instance of a batch shares
// its times): each batch gets its own KDE (ISJ on a 2^10 grid; a batch has one time per round)
// at every fit, evaluated on `eval_points` points over its own range. Reports the fraction of
// the batches whose rJSD <= tau.
class InstanceRjsdMonitor {
 public:
  InstanceRjsdMonitor(ConvergenceSettings settings, std::vector<std::size_t> batches);
  InstanceRjsdMonitor(InstanceRjsdMonitor&&) noexcept;
  ~InstanceRjsdMonitor();
  // Feeds one measured round (all batch times); returns the fraction converged when evaluated.
  std::optional<double> add_round(std::span<const double> times);
  void skip_fits_before(std::size_t first);  // as RjsdMonitor's

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Replays the measured rounds of a trace through one monitor per time kind.
struct ConvergenceReport {
  ConvergenceSettings settings;
  std::size_t rounds = 0;  // measured rounds replayed
  struct Point {
    std::size_t round = 0;         // measured rounds fed (1-based count)
    std::int64_t round_index = 0;  // the trace's index of the last of them
    double inference = 0, total = 0;
    double inference_bandwidth = 0, total_bandwidth = 0;
    // Fraction of the sampled instances converged (when instances were sampled).
    std::optional<double> inference_instances, total_instances;
  };
  std::size_t instances_sampled = 0;
  std::vector<Point> rjsd;
  // First point at which both kinds had rJSD <= tau (index into rjsd), if any.
  std::optional<std::size_t> converged_at;
};
// `instance_sample` > 0 also tracks that many batches, evenly spaced over the trace.
ConvergenceReport replay_convergence(const TraceReader& trace, const ConvergenceSettings& settings,
                                     std::size_t instance_sample = 0);
// The same shared by the ranks of an MPI job (tailq/shards.hpp): each evaluates a contiguous
// share of the fits, replaying the rounds up to its last; rank 0 returns the report, byte for
// byte the one process's, the others one without points.
ConvergenceReport replay_convergence(const TraceReader& trace, const ConvergenceSettings& settings,
                                     std::size_t instance_sample, Shards& shards);

}  // namespace tailq
