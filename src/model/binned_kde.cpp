#include "model/binned_kde.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <unsupported/Eigen/FFT>

namespace tailq::detail {

std::vector<double> smooth_binned(std::span<const double> binned, double dx, double h) {
  const std::size_t n = binned.size();
  const double total = [&] {
    double s = 0;
    for (double w : binned) s += w;
    return s;
  }();
  // The kernel beyond 8 standard deviations is below 1e-14 of its peak.
  const double sigma = h / dx;  // in grid steps
  const auto reach =
      static_cast<std::size_t>(std::min<double>(std::ceil(8 * sigma), static_cast<double>(n)));
  std::size_t size = 1;
  while (size < n + 2 * reach + 1) size <<= 1;

  std::vector<double> signal(size, 0.0), kernel(size, 0.0);
  std::copy(binned.begin(), binned.end(), signal.begin());
  // Normalised to a discrete sum of 1, so that a bandwidth narrower than a grid step still
  // keeps every weight.
  double kernel_sum = 0;
  for (std::size_t k = 0; k <= reach; ++k) {
    const double z = static_cast<double>(k) / sigma;
    const double value = std::exp(-0.5 * z * z);
    kernel[k] = value;
    kernel_sum += k > 0 ? 2 * value : value;
    if (k > 0) kernel[size - k] = value;  // negative offsets wrap to the end
  }
  for (double& v : kernel) v /= kernel_sum;
  // One FFT object per thread keeps its plans (twiddle factors) from one call to the next.
  thread_local Eigen::FFT<double> fft;
  std::vector<std::complex<double>> a, b;
  fft.fwd(a, signal);
  fft.fwd(b, kernel);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] *= b[i];
  std::vector<double> out;
  fft.inv(out, a);
  out.resize(n);
  // Weights per grid step -> density per unit of the data.
  for (double& v : out) v = std::max(v, 0.0) / (total * dx);
  return out;
}

}  // namespace tailq::detail
