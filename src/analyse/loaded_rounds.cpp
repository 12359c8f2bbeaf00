#include "analyse/loaded_rounds.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <new>
#include <thread>

#include "analyse/parallel.hpp"

namespace tailq::detail {
namespace {

// Memory for many times, mapped rather than allocated: the kernel hands out zeroed pages as
// they are first written, so nothing is cleared twice. (2 MiB pages were tried: the load's
// page faults fell, but every pass over the times got slower on the virtual machines measured.)
class TimesBuffer {
 public:
  explicit TimesBuffer(std::size_t count) : bytes_(std::max<std::size_t>(count, 1) * 8) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<double*>(p);
    count_ = count;
  }
  TimesBuffer(const TimesBuffer&) = delete;
  TimesBuffer& operator=(const TimesBuffer&) = delete;
  ~TimesBuffer() { munmap(data_, bytes_); }
  std::span<double> span() { return {data_, count_}; }
  std::span<const double> span() const { return {data_, count_}; }

 private:
  std::size_t bytes_;
  double* data_ = nullptr;
  std::size_t count_ = 0;
};

// Owns the times it serves; member order: the times outlive the view that points into them.
class LoadedRoundSource final : public RoundSource {
 public:
  LoadedRoundSource(std::unique_ptr<TimesBuffer> times, std::size_t batches)
      : times_(std::move(times)), view_(times_->span(), batches) {}
  std::size_t round_count() const override { return view_.round_count(); }
  std::size_t batch_count() const override { return view_.batch_count(); }
  std::unique_ptr<Cursor> open_cursor() const override { return view_.open_cursor(); }
  const double* in_memory() const override { return view_.in_memory(); }

 private:
  std::unique_ptr<TimesBuffer> times_;
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
  auto buffer = std::make_unique<TimesBuffer>(count * batches);
  const std::span<double> times = buffer->span();
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
          cursor->read(r, times.subspan(r * batches, batches));
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
  return std::make_unique<LoadedRoundSource>(std::move(buffer), batches);
}

}  // namespace tailq::detail
