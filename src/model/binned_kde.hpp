// The Gaussian KDE of data already binned on an even grid: the binned weights convolved with
// the kernel by FFT (Eigen's FFT module), zero-padded so nothing wraps around.
#pragma once

#include <span>
#include <vector>

namespace tailq::detail {

// Density (integrating to 1 over the grid) at the grid points, for grid spacing `dx` and kernel
// standard deviation `h` in the same unit. `binned` holds non-negative weights, not all 0.
std::vector<double> smooth_binned(std::span<const double> binned, double dx, double h);

}  // namespace tailq::detail
