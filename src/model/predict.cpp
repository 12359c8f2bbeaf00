#include "tailq/run_options.hpp"
#include "tailq/predict.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <numbers>
#include <pcg_random.hpp>
#include <string>
#include <thread>

#include "tailq/density.hpp"
#include "tailq/divergence.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"

namespace tailq {
namespace {

// Per-batch fits use a 2^10-point ISJ grid: a batch has one time per training round (tens to
// thousands of points), and fitting 50,000 batches on Botev's 2^14 grid would take minutes.
constexpr std::size_t kBatchGridPoints = std::size_t{1} << 10;

// Standard normal variates by inverse transform on a table of 2^16 quantiles with linear
// interpolation: one 64-bit draw gives the data point and the variate. Tails are cut at
// +-4.4 sd (probability 1e-5), far below what a KDE of at most a few thousand points resolves.
class NormalTable {
 public:
  static constexpr int kBits = 16;
  NormalTable() : quantile_((std::size_t{1} << kBits) + 1) {
    const double cells = static_cast<double>(std::size_t{1} << kBits);
    for (std::size_t i = 0; i < quantile_.size(); ++i) {
      const double p = std::clamp(static_cast<double>(i) / cells, 0.5 / cells, 1 - 0.5 / cells);
      quantile_[i] = static_cast<float>(std::numbers::sqrt2 * boost::math::erf_inv(2 * p - 1));
    }
  }
  // `bits`: 32 random bits; the top 16 pick the cell, the low 16 the place in it.
  double operator()(std::uint32_t bits) const {
    const std::size_t cell = bits >> kBits;
    const double frac = static_cast<double>(bits & 0xFFFF) * (1.0 / 65536.0);
    const double lo = quantile_[cell], hi = quantile_[cell + 1];
    return lo + frac * (hi - lo);
  }

 private:
  std::vector<float> quantile_;
};

const NormalTable& normal_table() {
  static const NormalTable table;
  return table;
}

double plain_median(std::vector<double> v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
}

}  // namespace

std::string_view to_string(TimeModelKind kind) {
  return kind == TimeModelKind::independent ? "independent" : "round-effect";
}

TimeModelKind parse_time_model(std::string_view text) {
  if (text == "independent") return TimeModelKind::independent;
  if (text == "round-effect") return TimeModelKind::round_effect;
  throw OptionError("model", "expected 'independent', 'round-effect' or 'both', got '" +
                   std::string(text) + "'");
}

TimeModel::TimeModel(std::span<const double> rounds, std::size_t batch_count, TimeModelKind kind,
                     unsigned threads)
    : TimeModel(rounds, batch_count, kind, threads, 0, batch_count) {}

TimeModel::TimeModel(std::span<const double> rounds, std::size_t batch_count, TimeModelKind kind,
                     unsigned threads, std::size_t first_batch, std::size_t last_batch)
    : kind_(kind), batches_(batch_count), training_(batch_count ? rounds.size() / batch_count : 0) {
  if (batch_count == 0 || training_ < 2 || rounds.size() != training_ * batch_count) {
    throw InputError("time model: need at least 2 training rounds of " +
                     std::to_string(batch_count) + " batches");
  }
  const std::size_t t_count = training_;
  factors_.assign(t_count, 1.0);
  if (kind == TimeModelKind::round_effect) {
    std::vector<double> medians(t_count);
    for (std::size_t r = 0; r < t_count; ++r) {
      medians[r] = plain_median(std::vector<double>(rounds.begin() + r * batch_count,
                                                    rounds.begin() + (r + 1) * batch_count));
    }
    const double typical = plain_median(medians);
    if (typical > 0) {
      for (std::size_t r = 0; r < t_count; ++r) {
        factors_[r] = medians[r] > 0 ? medians[r] / typical : 1.0;
      }
    }
    std::vector<double> logs(t_count);
    for (std::size_t r = 0; r < t_count; ++r) logs[r] = std::log(factors_[r]);
    factor_bandwidth_ = isj_bandwidth(logs, kBatchGridPoints).value;
  }
  samples_.resize(rounds.size());
  for (std::size_t r = 0; r < t_count; ++r) {
    for (std::size_t b = 0; b < batch_count; ++b) {
      samples_[b * t_count + r] = rounds[r * batch_count + b] / factors_[r];
    }
  }
  bandwidth_.resize(batch_count);
  last_batch = std::min(last_batch, batch_count);
  const unsigned workers = std::max(1u, threads ? threads : std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (std::size_t b = first_batch + w; b < last_batch; b += workers) {
        bandwidth_[b] =
            isj_bandwidth(std::span(samples_).subspan(b * t_count, t_count), kBatchGridPoints)
                .value;
      }
    });
  }
  for (auto& t : pool) t.join();
}

void TimeModel::set_bandwidths(std::vector<double> bandwidths) {
  if (bandwidths.size() != batches_) {
    throw InputError("time model: " + std::to_string(bandwidths.size()) + " bandwidths for " +
                     std::to_string(batches_) + " batches");
  }
  bandwidth_ = std::move(bandwidths);
}

void TimeModel::simulate(std::uint64_t seed, std::uint64_t round, std::span<double> out) const {
  // One PCG32 stream per simulated round (its stream selector): counter-based reproducibility.
  pcg32 rng(seed, round);
  const NormalTable& normal = normal_table();
  const auto t_count = static_cast<std::uint64_t>(training_);
  double factor = 1.0;
  if (kind_ == TimeModelKind::round_effect) {
    // A KDE of the log factors: a held-out round may be a little slower than any training one.
    const std::size_t j = static_cast<std::size_t>(
        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(rng())) * t_count) >> 32);
    factor = std::exp(std::log(factors_[j]) + factor_bandwidth_ * normal(rng()));
  }
  // Each draw reads one random training time of its batch: a cache miss once the model
  // outgrows the caches. So the random bits of a block of batches are drawn (in batch order, as
  // always) one block ahead and their training times prefetched while the block before is
  // finished.
  constexpr std::size_t kBlock = 64;
  std::uint64_t bits[2][kBlock];
  std::size_t where[2][kBlock];
  auto draw_block = [&](std::size_t first, int slot) {
    const std::size_t end = std::min(first + kBlock, batches_);
    for (std::size_t b = first; b < end; ++b) {
      const std::uint64_t r = (static_cast<std::uint64_t>(rng()) << 32) | rng();
      // Low 32 bits pick the training round (multiply-shift), high 32 the normal variate.
      const auto j = static_cast<std::size_t>(
          (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r)) * t_count) >> 32);
      bits[slot][b - first] = r;
      where[slot][b - first] = b * training_ + j;
      __builtin_prefetch(&samples_[where[slot][b - first]]);
    }
  };
  int slot = 0;
  draw_block(0, slot);
  for (std::size_t first = 0; first < batches_; first += kBlock, slot ^= 1) {
    if (first + kBlock < batches_) draw_block(first + kBlock, slot ^ 1);
    const std::size_t end = std::min(first + kBlock, batches_);
    for (std::size_t b = first; b < end; ++b) {
      const double z = normal(static_cast<std::uint32_t>(bits[slot][b - first] >> 32));
      const double t = factor * (samples_[where[slot][b - first]] + bandwidth_[b] * z);
      out[b] = t > 0 ? t : 0.0;  // the kernel's mass below 0 is folded onto 0
    }
  }
}

std::unique_ptr<RoundSource::Cursor> SimulatedRoundSource::open_cursor() const {
  class SimulatedCursor final : public Cursor {
   public:
    explicit SimulatedCursor(const SimulatedRoundSource& source) : source_(source) {}
    void read(std::size_t round, std::span<double> out) override {
      source_.model_.simulate(source_.seed_, source_.first_ + round, out);
    }

   private:
    const SimulatedRoundSource& source_;
  };
  return std::make_unique<SimulatedCursor>(*this);
}

}  // namespace tailq
