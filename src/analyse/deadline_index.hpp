// Finds, for a time t, the first of K sorted deadlines that t meets (t <= deadline) in O(1):
// the hot loop of the engine runs this once per batch and round.
//
// A uniform grid of cells over [first, last] deadline, with cell(t) = floor((t - first) * scale)
// clamped to the grid. cell() is monotone in t, so every deadline in a lower cell is < t and
// every deadline in a higher cell is > t: the answer is the first deadline of t's cell plus the
// number of deadlines in that cell below t. With 4 cells per deadline most cells hold at most
// one, which takes one comparison and no branch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tailq::detail {

class DeadlineIndex {
 public:
  // `deadlines` sorted ascending and not empty.
  explicit DeadlineIndex(std::span<const double> deadlines)
      : deadlines_(deadlines.begin(), deadlines.end()), lo_(deadlines.front()) {
    const std::size_t cells = 16 * deadlines.size();
    const double width = deadlines.back() - lo_;
    scale_ = width > 0 ? static_cast<double>(cells) / width : 0.0;
    last_cell_ = cells - 1;
    cells_.assign(cells, Cell{static_cast<std::uint32_t>(deadlines.size()), 0});
    for (std::size_t g = deadlines.size(); g-- > 0;) {
      Cell& cell = cells_[cell_of(deadlines[g])];
      cell.first = static_cast<std::uint32_t>(g);
      ++cell.count;
    }
    // Empty cells point at the first deadline of the next non-empty cell.
    for (std::size_t c = cells - 1; c-- > 0;) {
      if (cells_[c].count == 0) cells_[c].first = cells_[c + 1].first;
    }
    deadlines_.push_back(std::numeric_limits<double>::infinity());  // sentinel for the compare
  }

  // Index of the first deadline >= t; K when t is later than every deadline.
  std::size_t first_not_below(double t) const {
    const Cell cell = cells_[cell_of(t)];
    std::size_t g = cell.first;
    if (cell.count <= 1) return g + (cell.count != 0 && deadlines_[g] < t);
    for (const std::size_t end = g + cell.count; g < end && deadlines_[g] < t;) ++g;
    return g;
  }

 private:
  struct Cell {
    std::uint32_t first;
    std::uint32_t count;
  };

  std::size_t cell_of(double t) const {
    const double x = (t - lo_) * scale_;
    if (!(x > 0)) return 0;
    return x >= static_cast<double>(last_cell_) ? last_cell_ : static_cast<std::size_t>(x);
  }

  std::vector<double> deadlines_;
  double lo_;
  double scale_ = 0;
  std::size_t last_cell_ = 0;
  std::vector<Cell> cells_;
};

}  // namespace tailq::detail
