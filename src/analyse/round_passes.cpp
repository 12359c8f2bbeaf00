#include "analyse/round_passes.hpp"

#include <algorithm>
#include <limits>

#include "collect/byte_codec.hpp"

namespace tailq::detail {

RoundPasses::RoundPasses(const RoundSource& rounds, unsigned threads)
    : rounds_(rounds), total_(rounds.round_count()), threads_(threads) {}

RoundPasses::RoundPasses(const RoundSource& share, std::size_t first, std::size_t total,
                         Shards& shards, unsigned threads)
    : rounds_(share), first_(first), total_(total), shards_(&shards), threads_(threads) {}

std::vector<std::string> RoundPasses::from_every_rank(
    const std::function<std::string()>& part) const {
  const std::vector<std::string> parts = shards_->gather(part);
  const std::string all = shards_->broadcast([&] {
    ByteWriter out;
    out.put<std::uint64_t>(parts.size());
    for (const std::string& p : parts) out.put_string(p);
    return out.bytes();
  });
  ByteReader in(all);
  std::vector<std::string> out(in.get<std::uint64_t>());
  for (std::string& p : out) p = in.get_string();
  return out;
}

PooledTimes RoundPasses::scan() const {
  if (!sharded()) return PooledTimes::scan(rounds_, threads_);
  return PooledTimes::merge(
      from_every_rank([&] { return PooledTimes::scan(rounds_, threads_).encode(); }));
}

std::vector<double> RoundPasses::values_at_ranks(const PooledTimes& pooled,
                                                 std::span<const std::uint64_t> ranks) const {
  if (!sharded()) return pooled.values_at_ranks(rounds_, ranks, threads_);
  const RankPlan plan = pooled.plan(ranks);
  const std::vector<std::string> parts = from_every_rank([&] {
    ByteWriter out;
    for (const auto& bin : PooledTimes::times_in_bins(rounds_, plan, threads_)) {
      out.put_array(std::span<const double>(bin));
    }
    return out.bytes();
  });
  std::vector<std::vector<double>> bins(plan.keys.size());
  std::vector<double> times;
  for (const std::string& part : parts) {
    ByteReader in(part);
    for (auto& bin : bins) {
      in.get_array(times);
      bin.insert(bin.end(), times.begin(), times.end());
    }
  }
  return plan.resolve(bins);
}

std::pair<double, double> RoundPasses::range_within(const PooledTimes& pooled, double lo,
                                                    double hi) const {
  if (!sharded()) return pooled.range_within(rounds_, lo, hi, threads_);
  const std::vector<std::string> parts = from_every_rank([&] {
    const auto [low, high] = pooled.range_within(rounds_, lo, hi, threads_);
    ByteWriter out;
    out.put(low);
    out.put(high);
    return out.bytes();
  });
  std::pair<double, double> range{std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity()};
  for (const std::string& part : parts) {
    ByteReader in(part);
    range.first = std::min(range.first, in.get<double>());
    range.second = std::max(range.second, in.get<double>());
  }
  return range;
}

ScoreGrid RoundPasses::score_additive(const AdditiveMetric& metric, const BatchDeltas& deltas,
                                      std::span<const double> deadlines,
                                      PendingPercentiles* pending) const {
  if (!sharded())
    return detail::score_additive(rounds_, metric, deltas, deadlines, threads_, pending);
  return joined(detail::score_additive(rounds_, metric, deltas, deadlines, threads_, pending),
                pending);
}

ScoreGrid RoundPasses::score_generic(std::span<const std::uint32_t> batch_of, const Metric& metric,
                                     std::span<const double> deadlines) const {
  if (!sharded()) return detail::score_generic(rounds_, batch_of, metric, deadlines, threads_);
  return joined(detail::score_generic(rounds_, batch_of, metric, deadlines, threads_), nullptr);
}

// The shares' rows one after another: rank order is round order. A share's hits name its
// rounds by their position in the whole analysis.
ScoreGrid RoundPasses::joined(ScoreGrid local, PendingPercentiles* pending) const {
  const std::vector<std::string> parts = from_every_rank([&] {
    ByteWriter out;
    out.put_array(std::span<const double>(local.quality));
    out.put_array(std::span<const double>(local.late_fraction));
    if (pending) {
      for (auto& hit : pending->hits) hit.round += static_cast<std::uint32_t>(first_);
      out.put_array(std::span<const double>(pending->sums));
      out.put_array(std::span<const std::uint64_t>(pending->on_time));
      out.put_array(std::span<const PendingPercentiles::Hit>(pending->hits));
    }
    return out.bytes();
  });
  ScoreGrid all;
  all.columns = local.columns;
  all.column_of = std::move(local.column_of);
  if (pending) {
    pending->sums.clear();
    pending->on_time.clear();
    pending->hits.clear();
  }
  std::vector<double> doubles;
  std::vector<std::uint64_t> counts;
  std::vector<PendingPercentiles::Hit> hits;
  auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  for (const std::string& part : parts) {
    ByteReader in(part);
    in.get_array(doubles);
    append(all.quality, doubles);
    in.get_array(doubles);
    append(all.late_fraction, doubles);
    if (pending) {
      in.get_array(doubles);
      append(pending->sums, doubles);
      in.get_array(counts);
      append(pending->on_time, counts);
      in.get_array(hits);
      append(pending->hits, hits);
    }
  }
  return all;
}

}  // namespace tailq::detail
