// Finds, for a time t, the first of K sorted deadlines that t meets (t <= deadline) in O(1):
// the hot loop of the engine runs this once per batch and round.
//
// A uniform grid of 16 K cells over [first, last] deadline, x(t) = (t - first) * scale, with
// one more cell at each end for the times outside it: cell(t) = floor(x) + 1 clamped to
// [0, 16 K + 2]. cell() is monotone in t, so every deadline in a lower cell is < t and every
// deadline in a higher cell is > t: the answer is the first deadline of t's cell plus the number
// of deadlines in that cell below t. Most cells hold at most one deadline, which takes one
// comparison and no branch; the end cells hold none, so the many times that can lie below every
// deadline (or above) never take the crowded cells' loop.
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
    const std::size_t grid = 16 * deadlines.size();
    const double width = deadlines.back() - lo_;
    scale_ = width > 0 ? static_cast<double>(grid) / width : 0.0;
    top_ = static_cast<double>(grid + 1);
    const std::size_t cells = grid + 3;
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
  // An empty cell's first deadline lies in a later cell, so it is above t and the one compare
  // of the common case is right for it too: no branch but the rare crowded cell's.
  std::size_t first_not_below(double t) const {
    const Cell cell = cells_[cell_of(t)];
    std::size_t g = cell.first;
    if (cell.count > 1) [[unlikely]] {
      for (const std::size_t end = g + cell.count; g < end && deadlines_[g] < t;) ++g;
      return g;
    }
    return g + (deadlines_[g] < t);
  }

 private:
  struct Cell {
    std::uint32_t first;
    std::uint32_t count;
  };

  // x clamped to [-1, top] in doubles, where compilers use min and max instructions (a clamp
  // that branches would mispredict on times below the first deadline); truncation toward zero
  // keeps it monotone. The operand order sends a NaN to the top cell.
  std::size_t cell_of(double t) const {
    const double x = (t - lo_) * scale_;
    const double clamped = std::min(top_, std::max(x, -1.0));
    return static_cast<std::size_t>(static_cast<std::int64_t>(clamped) + 1);
  }

  std::vector<double> deadlines_;
  double lo_;
  double scale_ = 0;
  double top_ = 0;  // the largest x kept: the last cell is top_ + 1
  std::vector<Cell> cells_;
};

}  // namespace tailq::detail
