#include "analyse/loaded_rounds.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "analyse/parallel.hpp"

namespace tailq::detail {
namespace {

// Owns the times it serves; member order: the times outlive the view that points into them.
class LoadedRoundSource final : public RoundSource {
 public:
  LoadedRoundSource(std::vector<double> times, std::size_t batches)
      : times_(std::move(times)), view_(times_, batches) {}
  std::size_t round_count() const override { return view_.round_count(); }
  std::size_t batch_count() const override { return view_.batch_count(); }
  std::unique_ptr<Cursor> open_cursor() const override { return view_.open_cursor(); }
  const double* in_memory() const override { return view_.in_memory(); }

 private:
  std::vector<double> times_;
  MatrixRoundSource view_;
};

}  // namespace

std::size_t in_memory_budget_bytes() {
  constexpr std::size_t kMost = std::size_t{1} << 30;
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return kMost;
  return std::min(kMost, static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) / 8);
}

std::unique_ptr<RoundSource> rounds_to_analyse(const TraceReader& trace, TimeKind kind,
                                               std::vector<std::int64_t> rounds, unsigned threads) {
  auto stored = std::make_unique<TraceRoundSource>(trace, kind, std::move(rounds));
  const std::size_t batches = stored->batch_count(), count = stored->round_count();
  if (batches == 0 || count > in_memory_budget_bytes() / sizeof(double) / batches) return stored;
  std::vector<double> times(count * batches);
  // Each worker reads one contiguous share of the rounds straight into their rows, in order,
  // so that its cursor reads the store ahead in one scan.
  const unsigned workers = worker_count(threads, count);
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        const auto cursor = stored->open_cursor();
        for (std::size_t r = count * w / workers; r < count * (w + 1) / workers; ++r) {
          cursor->read(r, std::span(times).subspan(r * batches, batches));
        }
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return std::make_unique<LoadedRoundSource>(std::move(times), batches);
}

}  // namespace tailq::detail
