#include "model/time_columns.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "model/tasks.hpp"

namespace tailq::detail {
namespace {

// Rounds read together before being written out: each batch's eight values then fill one cache
// line of its column rather than touching eight.
constexpr std::size_t kTile = 8;
// Below this many values a second connection costs more than it saves.
constexpr std::size_t kValuesPerThread = std::size_t{1} << 17;

}  // namespace

TimeColumns::TimeColumns(const TraceReader& trace, TimeKind kind,
                         std::span<const std::int64_t> rounds, std::size_t first, std::size_t width,
                         unsigned threads)
    // Not zeroed: every value is written, and the pages are first touched by the reading threads.
    : values_(std::make_unique_for_overwrite<double[]>(rounds.size() * width)),
      rounds_(rounds.size()),
      width_(width) {
  const std::size_t batches = trace.batch_count();
  const std::size_t tiles = (rounds_ + kTile - 1) / kTile;
  const unsigned cores = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t parts = std::clamp<std::size_t>(rounds_ * batches / kValuesPerThread, 1,
                                                    std::min<std::size_t>(cores, tiles));
  // Part p reads whole tiles, from round p * tiles / parts * kTile on.
  const auto bound = [&](std::size_t p) { return std::min(rounds_, p * tiles / parts * kTile); };
  run_tasks(
      static_cast<unsigned>(parts), parts - 1,
      [&] {
        const auto read = [&](std::int64_t r, std::span<double> out) {
          trace.read_times(r, kind, out);
        };
        read_rounds(read, rounds, 0, bound(1), batches, first);
      },
      [&](std::size_t p) {
        TimesCursor cursor(trace.path(), kind);
        const auto read = [&](std::int64_t r, std::span<double> out) { cursor.read(r, out); };
        read_rounds(read, rounds, bound(p + 1), bound(p + 2), batches, first);
      });
}

template <class Read>
void TimeColumns::read_rounds(Read read, std::span<const std::int64_t> rounds, std::size_t begin,
                              std::size_t end, std::size_t batches, std::size_t first) {
  std::vector<double> tile(kTile * batches);
  for (std::size_t r0 = begin; r0 < end; r0 += kTile) {
    const std::size_t tile_rounds = std::min(kTile, end - r0);
    for (std::size_t t = 0; t < tile_rounds; ++t) {
      read(rounds[r0 + t], std::span(tile).subspan(t * batches, batches));
    }
    for (std::size_t b = 0; b < width_; ++b) {
      double* column = values_.get() + b * rounds_ + r0;
      for (std::size_t t = 0; t < tile_rounds; ++t) column[t] = tile[t * batches + first + b];
    }
  }
}

}  // namespace tailq::detail
