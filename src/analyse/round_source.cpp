#include "tailq/round_source.hpp"

#include <algorithm>

namespace tailq {

MatrixRoundSource::MatrixRoundSource(std::span<const double> times, std::size_t batch_count)
    : times_(times), batches_(batch_count), rounds_(batch_count ? times.size() / batch_count : 0) {}

std::unique_ptr<RoundSource::Cursor> MatrixRoundSource::open_cursor() const {
  class MatrixCursor final : public Cursor {
   public:
    explicit MatrixCursor(const MatrixRoundSource& source) : source_(source) {}
    void read(std::size_t round, std::span<double> out) override {
      const auto row = source_.times_.subspan(round * source_.batches_, source_.batches_);
      std::copy(row.begin(), row.end(), out.begin());
    }

   private:
    const MatrixRoundSource& source_;
  };
  return std::make_unique<MatrixCursor>(*this);
}

TraceRoundSource::TraceRoundSource(const TraceReader& trace, TimeKind kind,
                                   std::vector<std::int64_t> rounds)
    : path_(trace.path()), kind_(kind), batches_(trace.batch_count()), rounds_(std::move(rounds)) {}

std::unique_ptr<RoundSource::Cursor> TraceRoundSource::open_cursor() const {
  class StoreCursor final : public Cursor {
   public:
    StoreCursor(const TraceRoundSource& source)
        : source_(source), cursor_(source.path_, source.kind_) {}
    void read(std::size_t round, std::span<double> out) override {
      cursor_.read(source_.rounds_[round], out);
    }

   private:
    const TraceRoundSource& source_;
    TimesCursor cursor_;
  };
  return std::make_unique<StoreCursor>(*this);
}

std::vector<std::int64_t> measured_rounds(const TraceReader& trace, std::int64_t first,
                                          std::int64_t last) {
  std::vector<std::int64_t> out;
  std::int64_t position = 0;
  for (const RoundInfo& round : trace.rounds()) {
    if (round.warmup) continue;
    if (position >= first && position < last) out.push_back(round.index);
    ++position;
  }
  return out;
}

}  // namespace tailq
