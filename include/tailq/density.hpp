// One-dimensional Gaussian kernel density estimation and its bandwidth selectors.
//
// Kde: linear binning onto an even grid and convolution with the Gaussian kernel by FFT
// (Eigen's FFT module, MPL-2.0), as KDEpy's FFTKDE does; O(n + g log g) for n points and a
// g-point grid. Bandwidths: Improved Sheather-Jones (Botev, Grotowski and Kroese, "Kernel density
// estimation via diffusion", Annals of Statistics 38(5), 2010), Silverman's and Scott's rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tailq {

enum class BandwidthSelector { isj, silverman, scott, fixed };
std::string_view to_string(BandwidthSelector selector);
BandwidthSelector parse_bandwidth_selector(std::string_view text);  // throws InputError

struct Bandwidth {
  double value = 0;                                     // in the unit of the data
  BandwidthSelector selector = BandwidthSelector::isj;  // the selector that produced it
};

// Improved Sheather-Jones as Botev et al. define it: 2^14-point grid (grid_points) over
// [min - range/2, max + range/2], DCT-II of the linearly binned data, N = number of distinct
// values, the l = 7 fixed-point equation solved with a bracketing root finder (TOMS 748), and
// bandwidth = sqrt(t*) x grid width (the grid's, not the data's range: KDEpy's mistake). Unit
// invariant. Where no root exists (n <= 3, constant data, heavy ties) it falls back to
// Silverman, then to a small positive width, and says so in `selector`.
Bandwidth isj_bandwidth(std::span<const double> data, std::size_t grid_points = 1 << 14);
// The same from data already linearly binned onto binned.size() even points over [lo, hi]
// (lo = min - range/2, hi = max + range/2 of the data), for data too large to hold: n points in
// all, `distinct` of them distinct. `sd` and `iqr` of the data feed the Silverman fallback.
Bandwidth isj_bandwidth_binned(std::span<const double> binned, double lo, double hi, std::size_t n,
                               std::size_t distinct, double sd, double iqr);
// Adds each point's unit weight to its two neighbouring grid points, in proportion to
// closeness (linear binning), on counts.size() even points over [lo, hi].
void linear_bin(std::span<const double> data, double lo, double hi, std::span<double> counts);

// 0.9 min(sd, IQR / 1.34) n^(-1/5); falls back to a small positive width when that is 0.
Bandwidth silverman_bandwidth(std::span<const double> data);
// (4 / (3 n))^(1/5) sd, Scott's normal-reference rule.
Bandwidth scott_bandwidth(std::span<const double> data);
Bandwidth select_bandwidth(std::span<const double> data, BandwidthSelector selector);

// A fitted Gaussian KDE. Immutable after construction; safe to share across threads.
class Kde {
 public:
  // Fits on `data` (not empty, finite) with the given bandwidth, on `grid_points` even points
  // spanning [min - 4h, max + 4h].
  Kde(std::span<const double> data, Bandwidth bandwidth, std::size_t grid_points = 1 << 12);

  const Bandwidth& bandwidth() const { return bandwidth_; }
  std::span<const double> grid() const { return grid_; }        // evaluation points
  std::span<const double> density() const { return density_; }  // pdf on grid()
  // pdf and cdf anywhere, interpolated linearly between grid points (0 and 0/1 outside).
  double pdf(double x) const;
  double cdf(double x) const;
  void pdf(std::span<const double> x, std::span<double> out) const;
  // One draw: a uniformly chosen data point plus bandwidth x standard normal; `uniform` and
  // `normal` are a U[0,1) and an N(0,1) variate from the caller's stream.
  double sample(double uniform, double normal) const;

 private:
  Bandwidth bandwidth_;
  std::vector<double> data_;
  std::vector<double> grid_;
  std::vector<double> density_;
  std::vector<double> cumulative_;
};

}  // namespace tailq
