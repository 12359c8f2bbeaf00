// Recording rounds from a program that runs the model itself (a Python loop over PyTorch, ONNX
// Runtime, JAX, ...): the program brackets its own phases and the recorder reads the monotonic
// clock, checks that every round covers each instance exactly once, and keeps every completed
// round safe in the trace exactly as `tailq run` does: the trace is created whole or not at all,
// each round is one transaction when it ends, and the rJSD criterion is fed as rounds complete.
//
// Contract, per round:
//   begin_round()
//     for each batch:  begin_batch(ids)  [mark_pre()]  mark_infer()  [mark_post()]  end_batch()
//                 or:  add_batch(ids, inference_s, total_s)   (times measured by the caller)
//     optionally:      record_predictions(ids, {"7 1 9", ...}) / record_scores(ids, {0.8, ...})
//                      covering every instance
//   end_round()        (commits; abort_round() drops the round instead)
// Marks are the END of a phase: pre-processing runs from begin_batch to mark_pre (none if
// mark_pre is not called), inference from there to mark_infer, post-processing from there to
// mark_post (or end_batch). inference = the inference phase, total = begin_batch to the end.
//
// Batches: with a fixed layout (`batch_of_instance` given at creation) every batch of a round
// must be exactly one declared batch and times are stored per batch; without one, membership may
// change from round to round and every instance stores its batch's times (as `tailq run
// --shuffle`). Outputs recorded in a round must cover every instance; the first measured round
// that records them stores them for the metric, and every such round stores their hash.
//
// Errors: bad data (ids out of range or repeated, NaN or negative times, a round that misses an
// instance) throw InputError; calls out of order throw UsageError; the trace, StoreError. A
// failing begin_*/add_batch/record_* call changes nothing; a failing end_round drops the round.
// Not thread-safe: one recorder per thread. Cost: the bracketing calls read the clock and write
// preallocated arrays; nothing allocates after the first round.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/convergence.hpp"
#include "tailq/trace.hpp"

namespace tailq {

struct RecorderOptions {
  std::filesystem::path path;  // the trace to create; refused if it exists unless `overwrite`
  bool overwrite = false;
  Experiment experiment;  // metric empty: the outcome kind's default; system filled in here
  std::vector<std::string> instance_names;         // one per instance, unique
  std::vector<std::optional<double>> input_sizes;  // empty, or one per instance
  Outcomes outcomes;  // classification: labels (+ predictions, may be empty); score: scores
  std::vector<std::uint32_t> batch_of_instance;  // fixed layout; empty: per instance
  std::size_t warmup_rounds = 2;
  ConvergenceSettings convergence;
};

struct RecorderResumeOptions {
  std::size_t warmup_rounds = 2;  // a new process starts cold: warm it up again
  ConvergenceSettings convergence;
};

class Recorder {
 public:
  static Recorder create(const RecorderOptions& options);
  // Continues a trace written by a recorder: the convergence state is rebuilt from its rounds.
  static Recorder resume(const std::filesystem::path& path, const RecorderResumeOptions& options);
  Recorder(Recorder&&) noexcept;
  Recorder& operator=(Recorder&&) noexcept;
  ~Recorder();  // closes; a round in flight is dropped

  void begin_round();
  void begin_batch(std::span<const std::uint32_t> instances);
  void mark_pre();
  void mark_infer();
  void mark_post();
  void end_batch();
  void abort_batch();  // drops the open batch; its instances may be given again
  void add_batch(std::span<const std::uint32_t> instances, double inference_s, double total_s);
  // Outputs of `instances` (any subset, each once per round): predicted labels separated by
  // spaces, best first (classification), or scores in [0, 1].
  void record_predictions(std::span<const std::uint32_t> instances,
                          std::span<const std::string> labels_best_first);
  void record_scores(std::span<const std::uint32_t> instances, std::span<const double> scores);
  void end_round();
  void abort_round();
  void close();  // drops a round in flight, folds the trace back into one file

  bool closed() const;
  bool in_round() const;
  bool in_batch() const;
  bool round_is_warmup() const;         // of the open round, or of the next one
  std::int64_t round_index() const;     // of the open round, or of the next one
  std::size_t measured_rounds() const;  // stored in the trace, earlier processes included
  std::size_t rounds_recorded() const;  // stored by this recorder, warm-up included
  bool converged() const;               // rJSD <= tau for inference and total time
  const RjsdMonitor& inference_monitor() const;
  const RjsdMonitor& total_monitor() const;
  std::size_t instance_count() const;
  bool fixed_batches() const;
  Outcomes::Kind outcome_kind() const;
  const std::filesystem::path& path() const;
  const std::vector<std::string>& warnings() const;  // noisy set-up, as tailq run warns

 private:
  struct Impl;
  explicit Recorder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailq
