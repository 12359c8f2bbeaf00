// Where the engine gets per-batch times from, one round at a time: a trace file or memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq {

class RoundSource {
 public:
  // Reads rounds into caller memory. Each worker thread opens its own cursor.
  class Cursor {
   public:
    virtual ~Cursor() = default;
    // Fills `out` (batch_count() entries) with the times of round position `round`.
    virtual void read(std::size_t round, std::span<double> out) = 0;
  };

  virtual ~RoundSource() = default;
  virtual std::size_t round_count() const = 0;
  virtual std::size_t batch_count() const = 0;
  virtual std::unique_ptr<Cursor> open_cursor() const = 0;  // thread-safe
  // Rounds held in memory, round-major (round r's times at r * batch_count()), that readers may
  // use in place instead of copying them through a cursor; nullptr when there are none.
  virtual const double* in_memory() const { return nullptr; }
};

// Rounds held in memory, round-major: times[round * batch_count + batch]. Does not own them.
class MatrixRoundSource final : public RoundSource {
 public:
  MatrixRoundSource(std::span<const double> times, std::size_t batch_count);
  std::size_t round_count() const override { return rounds_; }
  std::size_t batch_count() const override { return batches_; }
  std::unique_ptr<Cursor> open_cursor() const override;
  const double* in_memory() const override { return times_.data(); }

 private:
  std::span<const double> times_;
  std::size_t batches_;
  std::size_t rounds_;
};

// Chosen rounds of a trace file, one kind of time.
class TraceRoundSource final : public RoundSource {
 public:
  TraceRoundSource(const TraceReader& trace, TimeKind kind, std::vector<std::int64_t> rounds);
  std::size_t round_count() const override { return rounds_.size(); }
  std::size_t batch_count() const override { return batches_; }
  std::unique_ptr<Cursor> open_cursor() const override;

 private:
  std::filesystem::path path_;
  TimeKind kind_;
  std::size_t batches_;
  std::vector<std::int64_t> rounds_;
};

// The stored indices of a trace's measured (not warm-up) rounds at positions [first, last)
// among them: position 0 is the first measured round. Users count rounds this way everywhere;
// stored indices also count warm-up rounds.
std::vector<std::int64_t> measured_rounds(const TraceReader& trace, std::int64_t first = 0,
                                          std::int64_t last = INT64_MAX);

}  // namespace tailq
