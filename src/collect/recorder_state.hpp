// The state of a Recorder (include/tailq/recorder.hpp), shared by the files that open one and
// the file that records rounds. Round state lives in arrays sized at creation; a per-instance
// stamp (the serial of the round that last saw the instance) checks "each instance exactly
// once" in O(batch) without clearing anything between rounds.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tailq/error.hpp"
#include "tailq/recorder.hpp"

namespace tailq {

struct Recorder::Impl {
  std::filesystem::path path;
  std::optional<TraceWriter> writer;
  RjsdMonitor inference_monitor, total_monitor;
  Outcomes::Kind kind = Outcomes::Kind::classification;
  std::vector<std::string> names;
  std::vector<std::uint32_t> batch_of;     // fixed layout; empty: per instance
  std::vector<std::uint32_t> batch_sizes;  // fixed layout
  std::size_t warmup_rounds = 0;
  std::vector<std::string> warnings;

  std::int64_t next_index = 0;
  std::size_t measured = 0, recorded_here = 0;
  bool have_outputs = false;

  // The open round.
  bool round_open = false;
  std::uint64_t serial = 0;          // of the open round; stamps equal to it mean "seen"
  std::vector<std::uint64_t> seen;   // per instance: serial of the round that timed it
  std::vector<std::uint64_t> given;  // per instance: serial of the round that gave its output
  std::size_t covered = 0, outputs = 0;
  std::vector<double> inference, total;  // per stored unit (batch or instance)
  std::vector<std::string> predictions;
  std::vector<double> scores;
  double started_unix_s = 0;

  // The open batch.
  bool batch_open = false;
  std::vector<std::uint32_t> batch_ids;
  std::chrono::steady_clock::time_point begun, pre_end, infer_end, post_end;
  bool pre_marked = false, infer_marked = false, post_marked = false;

  explicit Impl(ConvergenceSettings c) : inference_monitor(c), total_monitor(c) {}

  std::size_t n() const { return names.size(); }
  std::string round_name() const { return "round " + std::to_string(next_index); }
  void usable() const {
    if (!writer) throw UsageError(path.string() + ": the recorder is closed");
  }
  void need_round(const char* call) const {
    usable();
    if (!round_open) throw UsageError(std::string(call) + " outside a round (begin a round first)");
  }
  void need_batch(const char* call) const {
    need_round(call);
    if (!batch_open) throw UsageError(std::string(call) + " outside a batch (begin a batch first)");
  }
  void size_round_arrays() {
    const std::size_t units = batch_of.empty() ? n() : batch_sizes.size();
    inference.assign(units, 0);
    total.assign(units, 0);
    seen.assign(n(), 0);
    given.assign(n(), 0);
    batch_ids.reserve(n());
    if (kind == Outcomes::Kind::classification)
      predictions.resize(n());
    else
      scores.assign(n(), 0);
  }
  void check_instance(std::uint32_t i, const char* what) const {
    if (i >= n()) {
      throw InputError(round_name() + ": " + what + " " + std::to_string(i) +
                       " is not an instance (0.." + std::to_string(n() - 1) + ")");
    }
  }

  // Checks and claims `ids` for a batch of this round; claims nothing when it throws.
  void claim(std::span<const std::uint32_t> ids) {
    if (ids.empty()) throw InputError(round_name() + ": a batch needs at least one instance");
    std::size_t claimed = 0;
    try {
      for (; claimed < ids.size(); ++claimed) {
        const std::uint32_t i = ids[claimed];
        check_instance(i, "instance");
        if (seen[i] == serial) {
          throw InputError(round_name() + ": instance " + std::to_string(i) + " ('" + names[i] +
                           "') is timed twice");
        }
        if (!batch_of.empty() && batch_of[i] != batch_of[ids[0]]) {
          throw InputError(round_name() + ": instances " + std::to_string(ids[0]) + " and " +
                           std::to_string(i) + " are in different declared batches");
        }
        seen[i] = serial;
      }
      if (!batch_of.empty() && ids.size() != batch_sizes[batch_of[ids[0]]]) {
        throw InputError(round_name() + ": declared batch " + std::to_string(batch_of[ids[0]]) +
                         " has " + std::to_string(batch_sizes[batch_of[ids[0]]]) +
                         " instances, the batch given " + std::to_string(ids.size()));
      }
    } catch (...) {
      for (std::size_t k = 0; k < claimed; ++k) seen[ids[k]] = 0;
      throw;
    }
  }

  // Checks and claims the outputs of `ids` (`values` of them given); claims nothing on error.
  void claim_outputs(std::span<const std::uint32_t> ids, std::size_t values) {
    if (values != ids.size()) {
      throw InputError(round_name() + ": " + std::to_string(values) + " outputs for " +
                       std::to_string(ids.size()) + " instances");
    }
    std::size_t claimed = 0;
    try {
      for (; claimed < ids.size(); ++claimed) {
        const std::uint32_t i = ids[claimed];
        check_instance(i, "output of instance");
        if (given[i] == serial) {
          throw InputError(round_name() + ": output of instance " + std::to_string(i) + " ('" +
                           names[i] + "') given twice");
        }
        given[i] = serial;
      }
    } catch (...) {
      for (std::size_t k = 0; k < claimed; ++k) given[ids[k]] = 0;
      throw;
    }
    outputs += ids.size();
  }

  void store(std::span<const std::uint32_t> ids, double inference_s, double total_s) {
    if (batch_of.empty()) {
      for (std::uint32_t i : ids) {
        inference[i] = inference_s;
        total[i] = total_s;
      }
    } else {
      inference[batch_of[ids[0]]] = inference_s;
      total[batch_of[ids[0]]] = total_s;
    }
    covered += ids.size();
  }

  void drop_round() {
    round_open = false;
    batch_open = false;
  }
};

}  // namespace tailq
