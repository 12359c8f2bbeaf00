// Bandwidth selectors for the Gaussian KDE.
//
// Improved Sheather-Jones (ISJ): Z. I. Botev, J. F. Grotowski and D. P. Kroese, "Kernel density
// estimation via diffusion", Annals of Statistics 38(5):2916-2957, 2010, following Botev's own
// MATLAB kde.m (grid, DCT, l = 7 fixed point, bracket doubling) with linear binning in place of
// histc. The data are mapped onto the unit interval [lo, hi] -> [0, 1], so t* and everything
// before it depend on the data only through grid positions: the result scales with the unit.
// Silverman's rule of thumb: B. W. Silverman, "Density Estimation for Statistics and Data
// Analysis", 1986, section 3.4. Scott's: D. W. Scott, "Multivariate Density Estimation", 1992.
#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <numeric>
#include <optional>
#include <string>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "model/extent.hpp"
#include "tailq/density.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kStages = 7;  // l in the paper: Botev's choice, and ours

using detail::Extent;
using detail::finite_extent;

// A width for data without spread, where every rule gives 0 but a KDE needs a positive width.
Bandwidth positive_or_fixed(double value, BandwidthSelector selector, double mean) {
  if (std::isfinite(value) && value > 0) return {value, selector};
  const double tiny = mean != 0 && std::isfinite(mean) ? 1e-3 * std::abs(mean) : 1e-9;
  return {tiny, BandwidthSelector::fixed};
}

double silverman_value(double sd, double iqr, std::size_t n) {
  // A zero IQR (over half the data on one value) says nothing about the spread; sd still does.
  const double spread = iqr > 0 ? std::min(sd, iqr / 1.34) : sd;
  return 0.9 * spread * std::pow(static_cast<double>(n), -0.2);
}

struct Spread {
  double mean = 0, sd = 0, iqr = 0;  // sd with ddof = 1, 0 for a single value
};

Spread spread_of(std::span<const double> data) {
  std::vector<double> sorted(data.begin(), data.end());
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  Spread s;
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  double squares = 0;
  for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
  s.sd = sorted.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  s.iqr = percentile_sorted(sorted, 75) - percentile_sorted(sorted, 25);
  return s;
}

std::uint64_t key_of(double v) {
  v += 0.0;  // -0.0 and 0.0 are one value
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

// Fibonacci hashing after folding the high half (sign, exponent) into the low half: the top
// bits of the product depend on every bit of the value.
std::uint64_t mix(std::uint64_t k) { return (k ^ (k >> 32)) * 0x9e3779b97f4a7c15ULL; }

// Number of distinct values in O(n): the values are partitioned by the top bits of a hash into
// parts of a few hundred, each counted in a hash table small enough for L1 (a sort of 10^6
// values takes 70 ms, a table over all of them misses cache on nearly every insert).
std::size_t count_distinct(std::span<const double> data) {
  int part_bits = 0;
  while (part_bits < 16 && (data.size() >> part_bits) > 512) ++part_bits;
  const std::size_t parts = std::size_t{1} << part_bits;
  const auto part_of = [part_bits](std::uint64_t hash) {
    return part_bits == 0 ? std::size_t{0} : static_cast<std::size_t>(hash >> (64 - part_bits));
  };
  std::vector<std::size_t> start(parts + 1, 0);
  for (double v : data) ++start[part_of(mix(key_of(v))) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint64_t> keys(data.size());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (double v : data) {
    const std::uint64_t key = key_of(v);
    keys[fill[part_of(mix(key))]++] = key;
  }
  // A NaN's bits never come from validated (finite) data, so they mark an empty slot.
  constexpr std::uint64_t kEmpty = 0x7ff8dead0000beefULL;
  std::vector<std::uint64_t> table;
  std::size_t distinct = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    std::size_t slots = 2;
    while (slots < 2 * (start[p + 1] - start[p])) slots *= 2;
    table.assign(slots, kEmpty);
    for (std::size_t j = start[p]; j < start[p + 1]; ++j) {
      const std::uint64_t key = keys[j];
      // The bits after the partition's: the best mixed ones not already equal within the part.
      std::size_t s = static_cast<std::size_t>((mix(key) << part_bits) >> 32) & (slots - 1);
      while (table[s] != kEmpty && table[s] != key) s = (s + 1) & (slots - 1);
      if (table[s] == kEmpty) {
        table[s] = key;
        ++distinct;
      }
    }
  }
  return distinct;
}

// Number of distinct values; one pass over neighbours when the data come sorted, as
// describe()'s do (-0.0 and 0.0 are equal there too).
std::size_t distinct_values(std::span<const double> data) {
  if (!std::is_sorted(data.begin(), data.end())) return count_distinct(data);
  std::size_t distinct = 1;
  for (std::size_t i = 1; i < data.size(); ++i) distinct += data[i] != data[i - 1];
  return distinct;
}

// exp(-i pi k / 2g) for k = 0..g-1. Kept for the last grid size of each thread: a fit's g sines
// and cosines cost more than its FFT, and one thread fits many densities on one grid size.
const std::vector<std::complex<double>>& dct_twiddles(std::size_t g) {
  thread_local std::vector<std::complex<double>> twiddle;
  if (twiddle.size() != g) {
    twiddle.resize(g);
    for (std::size_t k = 0; k < g; ++k) {
      const double angle = -kPi * static_cast<double>(k) / (2.0 * static_cast<double>(g));
      twiddle[k] = std::polar(1.0, angle);
    }
  }
  return twiddle;
}

// (a_k / 2)^2 for k = 1..g-1 in Botev's notation: a_k / 2 = sum_j p_j cos(pi k (2j + 1) / 2g),
// the DCT-II of p (scipy's dct(p) / 2). Makhoul's reordering turns it into one g-point FFT:
// v = (p_0, p_2, p_4, ..., p_5, p_3, p_1) and a_k / 2 = Re(exp(-i pi k / 2g) FFT(v)_k).
std::vector<double> squared_dct(std::span<const double> p) {
  const std::size_t g = p.size();
  std::vector<double> v(g);
  for (std::size_t j = 0; 2 * j < g; ++j) v[j] = p[2 * j];
  for (std::size_t j = 0; 2 * j + 1 < g; ++j) v[g - 1 - j] = p[2 * j + 1];
  // One FFT object per thread keeps its plans (twiddle factors) from one bandwidth to the next.
  thread_local Eigen::FFT<double> fft;
  std::vector<std::complex<double>> spectrum;
  fft.fwd(spectrum, v);
  const std::vector<std::complex<double>>& twiddle = dct_twiddles(g);
  std::vector<double> a2(g - 1);
  for (std::size_t k = 1; k < g; ++k) {
    const double half_a = (twiddle[k] * spectrum[k]).real();
    a2[k - 1] = half_a * half_a;
  }
  return a2;
}

// t - xi gamma^[l](t), the paper's fixed-point equation, as Botev's fixed_point():
// ||f^(s)||^2 is estimated from the DCT at time t_s, and t_s from ||f^(s+1)||^2,
// down from s = l to s = 2; the last estimate gives t = (2 N sqrt(pi) ||f''||^2)^(-2/5).
class FixedPoint {
 public:
  FixedPoint(std::span<const double> a2, std::size_t distinct);

  double operator()(double t) const {
    double norm = squared_norm(kStages, t);
    for (int s = kStages - 1; s >= 2; --s) {
      const double time = std::pow(time_factor_[s] / norm, time_power_[s]);
      norm = squared_norm(s, time);
    }
    return t - std::pow(root_factor_ * norm, -0.4);
  }

 private:
  static constexpr std::size_t kBlock = 32;  // terms between restarts of the exp recurrence

  double squared_norm(int s, double t) const;

  std::vector<std::vector<double>> weights_;
  // tail_max_[s][b]: the largest weight from block b on, which bounds what the rest can add.
  std::vector<std::vector<double>> tail_max_;
  // The constants of each stage's time, (2 c k0 / N) and 2 / (3 + 2s), and 2 N sqrt(pi).
  double time_factor_[kStages + 1] = {};
  double time_power_[kStages + 1] = {};
  double root_factor_ = 0;
};

FixedPoint::FixedPoint(std::span<const double> a2, std::size_t distinct)
    : weights_(kStages + 1), tail_max_(kStages + 1) {
  const double n = static_cast<double>(distinct);
  // weights_[s][k-1] = 2 pi^(2s) k^(2s) a2_k, built once: the root finder calls us ~20 times.
  // Powers by repeated products (a few roundings each): 10^5 calls of std::pow would cost
  // more than the whole root search. One stage at a time, so that the loops run over
  // contiguous arrays (and vectorise); the products are the same.
  const std::size_t g1 = a2.size();
  std::vector<double> term(g1), step(g1);
  for (std::size_t k = 1; k <= g1; ++k) {
    const double k2 = static_cast<double>(k) * static_cast<double>(k);
    term[k - 1] = 2 * k2 * kPi * kPi * a2[k - 1];  // s = 1
    step[k - 1] = k2 * kPi * kPi;
  }
  const std::size_t blocks = (g1 + kBlock - 1) / kBlock;
  for (int s = 2; s <= kStages; ++s) {
    std::vector<double>& w = weights_[s];
    w.resize(g1);
    for (std::size_t i = 0; i < g1; ++i) w[i] = term[i] *= step[i];
    tail_max_[s].assign(blocks + 1, 0.0);
    for (std::size_t b = blocks; b-- > 0;) {
      const auto first = w.begin() + static_cast<std::ptrdiff_t>(b * kBlock);
      const auto last = w.begin() + static_cast<std::ptrdiff_t>(std::min((b + 1) * kBlock, g1));
      tail_max_[s][b] = std::max(tail_max_[s][b + 1], *std::max_element(first, last));
    }
  }
  for (int s = 2; s < kStages; ++s) {
    double odd_product = 1;  // 1 x 3 x 5 x ... x (2s - 1)
    for (int j = 3; j <= 2 * s - 1; j += 2) odd_product *= j;
    const double k0 = odd_product / std::sqrt(2 * kPi);
    const double c = (1 + std::pow(0.5, s + 0.5)) / 3;
    time_factor_[s] = 2 * c * k0 / n;
    time_power_[s] = 2.0 / (3 + 2 * s);
  }
  root_factor_ = 2 * n * std::sqrt(kPi);
}

// 2 pi^(2s) sum_k k^(2s) a2_k exp(-k^2 pi^2 t): the squared norm of the s-th derivative.
// exp(-k^2 r) by the recurrence e_(k+1) = e_k exp(-(2k + 1) r), restarted from std::exp every
// kBlock terms so that round-off stays within ~2 kBlock ulps: 16k calls of exp per stage
// were most of the time of a bandwidth.
double FixedPoint::squared_norm(int s, double t) const {
  const std::vector<double>& w = weights_[s];
  const double rate = kPi * kPi * t;
  const double ratio_step = std::exp(-2 * rate);
  double sum = 0;
  for (std::size_t first = 1; first <= w.size(); first += kBlock) {
    const double k = static_cast<double>(first);
    // exp underflows to 0 beyond 745; k only grows, so the rest of the sum is 0 too.
    if (k * k * rate > 745.2) break;
    double e = std::exp(-k * k * rate);
    // Every later term is at most tail_max x e (the recurrence's drift is ~1e-13, well inside
    // a factor 2). Once that is below half an ulp of the sum, which only grows, adding the
    // terms rounds back to the same sum every time: stopping changes no bit of the result.
    // An ulp of a positive sum is at least sum x 2^-53, hence 2 x 2 x tail_max x e < sum 2^-53.
    if (tail_max_[s][(first - 1) / kBlock] * e < sum * 0x1p-55) break;
    double ratio = std::exp(-(2 * k + 1) * rate);
    const std::size_t end = std::min(first + kBlock, w.size() + 1);
    for (std::size_t j = first; j < end; ++j) {
      sum += w[j - 1] * e;
      e *= ratio;
      ratio *= ratio_step;
    }
  }
  return sum;
}

// Botev's root(): fzero on [0, tol] with tol from N, doubling tol while there is no sign
// change, up to 0.1 (where Botev gives up on a root and minimises |f| instead; a minimum that is
// not a root is no fixed point, so we report none and let the caller fall back).
std::optional<double> solve_fixed_point(const FixedPoint& f, std::size_t distinct) {
  const double n_clamped = std::clamp(static_cast<double>(distinct), 50.0, 1050.0);
  double tol = 1e-12 + 0.01 * (n_clamped - 50) / 1000;
  const double f0 = f(0.0);
  if (!std::isfinite(f0)) return std::nullopt;
  while (true) {
    const double ftol = f(tol);
    if (std::isnan(ftol)) return std::nullopt;
    if (ftol == 0) return tol;
    if ((f0 < 0) != (ftol < 0)) {
      try {
        std::uintmax_t iterations = 200;
        const auto [a, b] = boost::math::tools::toms748_solve(
            [&f](double x) { return f(x); }, 0.0, tol, f0, ftol,
            boost::math::tools::eps_tolerance<double>(), iterations);
        return 0.5 * (a + b);
      } catch (const std::exception&) {  // Boost's evaluation errors: no usable root
        return std::nullopt;
      }
    }
    if (tol >= 0.1) return std::nullopt;
    tol = std::min(2 * tol, 0.1);
  }
}

// sqrt(t*) x grid width, or nothing where the fixed point has no root.
std::optional<double> isj_from_binned(std::span<const double> binned, double lo, double hi,
                                      std::size_t n, std::size_t distinct) {
  if (n <= 3 || distinct <= 1 || !(hi > lo) || binned.size() < 2) return std::nullopt;
  const double total = std::accumulate(binned.begin(), binned.end(), 0.0);
  std::vector<double> p(binned.begin(), binned.end());
  for (double& x : p) x /= total;
  const FixedPoint f(squared_dct(p), distinct);
  const std::optional<double> t = solve_fixed_point(f, distinct);
  if (!t || !(*t > 0)) return std::nullopt;
  const double h = std::sqrt(*t) * (hi - lo);
  if (!std::isfinite(h) || !(h > 0)) return std::nullopt;
  return h;
}

}  // namespace

std::string_view to_string(BandwidthSelector selector) {
  switch (selector) {
    case BandwidthSelector::isj:
      return "isj";
    case BandwidthSelector::silverman:
      return "silverman";
    case BandwidthSelector::scott:
      return "scott";
    case BandwidthSelector::fixed:
      return "fixed";
  }
  return "unknown";
}

BandwidthSelector parse_bandwidth_selector(std::string_view text) {
  if (text == "isj") return BandwidthSelector::isj;
  if (text == "silverman") return BandwidthSelector::silverman;
  if (text == "scott") return BandwidthSelector::scott;
  // "fixed" names a fallback width; there is no rule to select by that name.
  throw InputError("unknown bandwidth selector '" + std::string(text) +
                   "' (expected isj, silverman or scott)");
}

Bandwidth isj_bandwidth(std::span<const double> data, std::size_t grid_points) {
  const Extent extent = finite_extent(data, "isj_bandwidth");
  if (grid_points < 2) throw InputError("isj_bandwidth: need at least 2 grid points");
  const double range = extent.max - extent.min;
  const double lo = extent.min - range / 2;
  const double hi = extent.max + range / 2;
  // A range that overflows (data near +-1e308) leaves no grid; Silverman still has a width.
  if (data.size() > 3 && range > 0 && std::isfinite(lo) && std::isfinite(hi)) {
    std::vector<double> binned(grid_points, 0.0);
    linear_bin(data, lo, hi, binned);
    if (const auto h = isj_from_binned(binned, lo, hi, data.size(), distinct_values(data))) {
      return {*h, BandwidthSelector::isj};
    }
  }
  return silverman_bandwidth(data);
}

Bandwidth isj_bandwidth_binned(std::span<const double> binned, double lo, double hi, std::size_t n,
                               std::size_t distinct, double sd, double iqr) {
  if (binned.size() < 2) throw InputError("isj_bandwidth_binned: need at least 2 grid points");
  double total = 0;
  for (double b : binned) {
    if (!std::isfinite(b) || b < 0) throw InputError("isj_bandwidth_binned: bad bin count");
    total += b;
  }
  if (!(total > 0)) throw InputError("isj_bandwidth_binned: no data binned");
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) {
    throw InputError("isj_bandwidth_binned: grid bounds must be finite with lo <= hi");
  }
  if (n == 0 || distinct == 0 || distinct > n) {
    throw InputError("isj_bandwidth_binned: need 1 <= distinct <= n");
  }
  if (!std::isfinite(sd) || sd < 0 || !std::isfinite(iqr) || iqr < 0) {
    throw InputError("isj_bandwidth_binned: sd and iqr must be finite and non-negative");
  }
  if (const auto h = isj_from_binned(binned, lo, hi, n, distinct)) {
    return {*h, BandwidthSelector::isj};
  }
  // Linear binning keeps the mean, so the bins give it back for the last-resort width.
  const double dx = (hi - lo) / static_cast<double>(binned.size() - 1);
  double weighted = 0;
  for (std::size_t i = 0; i < binned.size(); ++i) {
    weighted += (lo + static_cast<double>(i) * dx) * binned[i];
  }
  return positive_or_fixed(silverman_value(sd, iqr, n), BandwidthSelector::silverman,
                           weighted / total);
}

Bandwidth silverman_bandwidth(std::span<const double> data) {
  finite_extent(data, "silverman_bandwidth");
  const Spread s = spread_of(data);
  return positive_or_fixed(silverman_value(s.sd, s.iqr, data.size()), BandwidthSelector::silverman,
                           s.mean);
}

Bandwidth scott_bandwidth(std::span<const double> data) {
  finite_extent(data, "scott_bandwidth");
  const Spread s = spread_of(data);
  const double n = static_cast<double>(data.size());
  return positive_or_fixed(std::pow(4.0 / (3.0 * n), 0.2) * s.sd, BandwidthSelector::scott, s.mean);
}

Bandwidth select_bandwidth(std::span<const double> data, BandwidthSelector selector) {
  switch (selector) {
    case BandwidthSelector::isj:
      return isj_bandwidth(data);
    case BandwidthSelector::silverman:
      return silverman_bandwidth(data);
    case BandwidthSelector::scott:
      return scott_bandwidth(data);
    case BandwidthSelector::fixed:
      break;
  }
  throw InputError("select_bandwidth: 'fixed' is a fallback, not a selector");
}

}  // namespace tailq
