#include "analyse/scoring.hpp"

#include <algorithm>

#include "analyse/deadline_index.hpp"
#include "analyse/parallel.hpp"

namespace tailq::detail {

BatchDeltas::BatchDeltas(const AdditiveMetric& metric, std::span<const std::uint32_t> batch_of,
                         std::size_t batch_count)
    : statistics(metric.statistic_count()), instances(batch_of.size()) {
  late_sums.assign(statistics, 0.0);
  batch_size.assign(batch_count, 0);
  for (std::uint32_t b : batch_of) ++batch_size[b];
  // Instances grouped by batch (counting sort), so each batch's delta is merged in one go.
  std::vector<std::size_t> start(batch_count + 1, 0);
  for (std::size_t b = 0; b < batch_count; ++b) start[b + 1] = start[b] + batch_size[b];
  std::vector<std::size_t> by_batch(batch_of.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < batch_of.size(); ++i) by_batch[fill[batch_of[i]]++] = i;
  }
  std::vector<double> scratch(statistics, 0.0);
  std::vector<std::uint32_t> touched;
  std::vector<Statistic> on, late;
  offset.push_back(0);
  for (std::size_t b = 0; b < batch_count; ++b) {
    for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
      on.clear();
      late.clear();
      metric.statistics(by_batch[k], true, on);
      metric.statistics(by_batch[k], false, late);
      for (const Statistic& s : on) {
        touched.push_back(s.index);
        scratch[s.index] += s.value;
      }
      for (const Statistic& s : late) {
        touched.push_back(s.index);
        scratch[s.index] -= s.value;
        late_sums[s.index] += s.value;
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (std::uint32_t index : touched) {
      if (scratch[index] != 0) entries.push_back({index, scratch[index]});
      scratch[index] = 0;
    }
    touched.clear();
    offset.push_back(entries.size());
  }
  total_sums.assign(statistics, 0.0);
  for (std::size_t b = 0; b < batch_count; ++b) add(b, total_sums);
  if (statistics == 1) {
    single.resize(batch_count);
    for (std::size_t b = 0; b < batch_count; ++b) {
      double delta = 0;
      add(b, std::span(&delta, 1));
      single[b] = Pair{delta, static_cast<double>(batch_size[b])};
      single_total += single[b];
    }
  }
}

namespace {

// What every thread's scorer reads: the deadlines and where each slot's results go.
struct ScoringPlan {
  const AdditiveMetric& metric;
  const BatchDeltas& d;
  const DeadlineIndex index;
  double first_deadline;
  std::size_t g_count, slots, ways;  // ways: a power of two
  std::vector<long> stand_in_at;     // [deadline] the planned bin whose stand-in it is, or -1
  std::vector<long> bin_at;          // [slot] the planned bin whose times fall in it, or -1
  ScoreGrid& out;
  PendingPercentiles* pending;
};

// One thread's scoring of whole rounds. A batch adds its delta to the slot of the first deadline
// it meets; a round's results are then running sums over the slots.
//
// Slot 0 is never summed: it is what the other slots leave of the round's total, to the same
// bits whichever way the batches were visited. That lets a round whose batches mostly meet the
// first deadline (percentile deadlines: 90% of times lie below p90) look up only the others,
// gathered first; a thread gathers when most of its previous round's batches met the first
// deadline, and either way gives the same numbers.
class RoundScorer {
 public:
  explicit RoundScorer(const ScoringPlan& plan, std::size_t batches)
      : p_(plan), slot_(batches), kept_(batches), sums_(plan.d.statistics) {
    if (p_.d.statistics == 1) {
      pairs_.resize(p_.ways * p_.slots);
    } else {
      bucket_.resize(p_.ways * p_.slots * p_.d.statistics);
      on_time_.resize(p_.ways * p_.slots);
    }
  }

  void score(std::size_t r, std::span<const double> times) {
    const std::size_t batches = times.size();
    std::size_t m = batches;
    if (gather_) {
      m = 0;
      std::uint32_t* const kept = kept_.data();
      for (std::size_t b = 0; b < batches; ++b) {
        kept[m] = static_cast<std::uint32_t>(b);
        m += !(times[b] <= p_.first_deadline);  // a NaN is kept, and looked up as late
      }
      bucket<true>(r, times, m);
    } else {
      bucket<false>(r, times, m);
    }
    const bool gathered = gather_;
    gather_ = 2 * (gathered ? m : batches - count_in_slot_zero(m)) < batches;
    running_sums(r);
  }

  std::vector<PendingPercentiles::Hit> hits;

 private:
  using Pair = BatchDeltas::Pair;

  std::size_t count_in_slot_zero(std::size_t m) const {
    return static_cast<std::size_t>(std::count(slot_.begin(), slot_.begin() + m, 0u));
  }

  // Adds the m batches (all of them, or the gathered ones) into their slots.
  template <bool kGathered>
  void bucket(std::size_t r, std::span<const double> times, std::size_t m) {
    // Tight loops rather than one: each keeps its few pointers in registers (the stores of one
    // loop cannot alias the inputs of another).
    const std::uint32_t* const kept = kept_.data();
    std::uint32_t* const slot = slot_.data();
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t b = kGathered ? kept[k] : k;
      slot[k] = static_cast<std::uint32_t>(p_.index.first_not_below(times[b]));
    }
    // Times of one round crowd into a few slots, so adding into one slot per batch would chain
    // every add on the one before it (through memory): batches take turns over `ways` copies.
    const std::size_t way_mask = p_.ways - 1, slots = p_.slots;
    if (p_.d.statistics == 1) {  // accuracy, top-k, score
      std::fill(pairs_.begin(), pairs_.end(), Pair{0, 0});
      Pair* const pairs = pairs_.data();
      const Pair* const add = p_.d.single.data();
      for (std::size_t k = 0; k < m; ++k) {
        const std::size_t b = kGathered ? kept[k] : k;
        pairs[(b & way_mask) * slots + slot[k]] += add[b];
      }
    } else {
      std::fill(bucket_.begin(), bucket_.end(), 0.0);
      std::fill(on_time_.begin(), on_time_.end(), 0);
      const std::size_t stats = p_.d.statistics;
      for (std::size_t k = 0; k < m; ++k) {
        const std::size_t b = kGathered ? kept[k] : k;
        const std::size_t at = (b & way_mask) * slots + slot[k];
        on_time_[at] += p_.d.batch_size[b];
        p_.d.add(b, std::span(&bucket_[at * stats], stats));
      }
    }
    if (p_.pending) {
      const long* const bin_of_slot = p_.bin_at.data();
      for (std::size_t k = 0; k < m; ++k) {
        if (const long bin = bin_of_slot[slot[k]]; bin >= 0) [[unlikely]] {
          const std::size_t b = kGathered ? kept[k] : k;
          hits.push_back(
              {static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(bin), b, times[b]});
        }
      }
    }
  }

  // The round's statistics at every deadline: slot 0 as the remainder of the total, then
  // running sums.
  void running_sums(std::size_t r) {
    const std::size_t stats = p_.d.statistics, ways = p_.ways, slots = p_.slots;
    const bool single = stats == 1;
    std::vector<double>& sums = sums_;
    std::uint64_t on_time = 0;
    if (single) {
      Pair rest{0, 0};
      for (std::size_t g = 1; g < slots; ++g) {
        for (std::size_t way = 0; way < ways; ++way) rest += pairs_[way * slots + g];
      }
      const Pair zero = p_.d.single_total - rest;
      sums[0] = p_.d.late_sums[0] + zero[0];
      on_time = static_cast<std::uint64_t>(zero[1]);
    } else {
      std::copy(p_.d.total_sums.begin(), p_.d.total_sums.end(), sums.begin());
      on_time = p_.d.instances;
      for (std::size_t g = 1; g < slots; ++g) {
        for (std::size_t way = 0; way < ways; ++way) {
          const double* at = &bucket_[(way * slots + g) * stats];
          for (std::size_t k = 0; k < stats; ++k) sums[k] -= at[k];
          on_time -= on_time_[way * slots + g];
        }
      }
      for (std::size_t k = 0; k < stats; ++k) sums[k] += p_.d.late_sums[k];
    }
    const double n = static_cast<double>(p_.d.instances);
    ScoreGrid& out = p_.out;
    for (std::size_t g = 0; g < p_.g_count; ++g) {
      if (g > 0) {
        for (std::size_t way = 0; way < ways; ++way) {
          if (single) {
            const Pair add = pairs_[way * slots + g];
            sums[0] += add[0];
            on_time += static_cast<std::uint64_t>(add[1]);
            continue;
          }
          const double* at = &bucket_[(way * slots + g) * stats];
          for (std::size_t k = 0; k < stats; ++k) sums[k] += at[k];
          on_time += on_time_[way * slots + g];
        }
      }
      if (const std::size_t c = out.column_of[g]; c != ScoreGrid::kNoColumn) {
        out.quality[r * out.columns + c] = p_.metric.finalize(sums);
        out.late_fraction[r * out.columns + c] = static_cast<double>(p_.d.instances - on_time) / n;
      }
      if (const long bin = p_.stand_in_at[g]; bin >= 0) {
        const std::size_t bins = p_.pending->stand_in_slot.size();
        const std::size_t at = r * bins + static_cast<std::size_t>(bin);
        std::copy(sums.begin(), sums.end(), p_.pending->sums.begin() + at * stats);
        p_.pending->on_time[at] = on_time;
      }
    }
  }

  const ScoringPlan& p_;
  std::vector<std::uint32_t> slot_;     // [k] slot of the k-th batch visited
  std::vector<std::uint32_t> kept_;     // the batches gathered: those past the first deadline
  std::vector<Pair> pairs_;             // [way][slot] {delta sum, instances}: one statistic
  std::vector<double> bucket_;          // [way][slot][statistic]: several statistics
  std::vector<std::uint64_t> on_time_;  // [way][slot]: several statistics
  std::vector<double> sums_;
  bool gather_ = false;
};

}  // namespace

ScoreGrid score_additive(const RoundSource& rounds, const AdditiveMetric& metric,
                         const BatchDeltas& d, std::span<const double> deadlines, unsigned threads,
                         PendingPercentiles* pending) {
  const std::size_t g_count = deadlines.size();
  std::vector<long> stand_in_at(g_count, -1);
  // A planned bin's times fall in the slots after its stand-in up to its top (a sweep deadline
  // inside the bin splits it over several slots).
  std::vector<long> bin_at(g_count + 1, -1);
  std::vector<std::uint8_t> fence(g_count, 0);
  if (pending) {
    const std::size_t bins = pending->stand_in_slot.size();
    for (std::size_t k = 0; k < bins; ++k) {
      stand_in_at[pending->stand_in_slot[k]] = static_cast<long>(k);
      fence[pending->stand_in_slot[k]] = fence[pending->top_slot[k]] = 1;
      for (std::size_t g = pending->stand_in_slot[k] + 1; g <= pending->top_slot[k]; ++g) {
        bin_at[g] = static_cast<long>(k);
      }
    }
    for (std::size_t g : pending->read_back) fence[g] = 0;
    pending->sums.assign(rounds.round_count() * bins * d.statistics, 0.0);
    pending->on_time.assign(rounds.round_count() * bins, 0);
  }
  ScoreGrid out;
  for (std::size_t g = 0; g < g_count; ++g) {
    out.column_of.push_back(fence[g] ? ScoreGrid::kNoColumn : out.columns++);
  }
  out.quality.resize(rounds.round_count() * out.columns);
  out.late_fraction.resize(rounds.round_count() * out.columns);
  if (g_count == 0) return out;  // latency only: nothing to score

  // Small rounds take one copy of the slots: clearing and summing eight would cost more than
  // their few batches (a million one-instance rounds).
  const std::size_t batches = rounds.batch_count();
  const ScoringPlan plan{metric,
                         d,
                         DeadlineIndex(deadlines),
                         deadlines.front(),
                         g_count,
                         g_count + 1,
                         batches >= 256 ? 8u : 1u,
                         std::move(stand_in_at),
                         std::move(bin_at),
                         out,
                         pending};
  auto scorers = for_each_round<RoundScorer>(
      rounds, threads, [&] { return RoundScorer(plan, batches); },
      [](RoundScorer& scorer, std::size_t r, std::span<const double> times) {
        scorer.score(r, times);
      });
  if (pending) {
    for (auto& s : scorers) pending->hits.insert(pending->hits.end(), s.hits.begin(), s.hits.end());
  }
  return out;
}

ScoreGrid score_generic(const RoundSource& rounds, std::span<const std::uint32_t> batch_of,
                        const Metric& metric, std::span<const double> deadlines, unsigned threads) {
  const std::size_t g_count = deadlines.size();
  const double n = static_cast<double>(batch_of.size());
  ScoreGrid out;
  out.columns = g_count;
  for (std::size_t g = 0; g < g_count; ++g) out.column_of.push_back(g);
  out.quality.resize(rounds.round_count() * g_count);
  out.late_fraction.resize(rounds.round_count() * g_count);
  struct State {
    std::vector<std::uint8_t> mask;
    std::vector<std::pair<std::size_t, double>> quality_of_late;  // this round's evaluations
  };
  for_each_round<State>(
      rounds, threads,
      [&] {
        return State{std::vector<std::uint8_t>(batch_of.size()), {}};
      },
      [&](State& s, std::size_t r, std::span<const double> times) {
        s.quality_of_late.clear();
        for (std::size_t g = 0; g < g_count; ++g) {
          std::size_t late = 0;
          for (std::size_t i = 0; i < batch_of.size(); ++i)
            late += !(times[batch_of[i]] <= deadlines[g]);
          out.late_fraction[r * g_count + g] = static_cast<double>(late) / n;
          // Within a round the on-time sets of two deadlines are nested, so equally many late
          // instances means the same set: a metric that costs (COCO AP) is evaluated once.
          const auto seen = std::find_if(s.quality_of_late.begin(), s.quality_of_late.end(),
                                         [&](const auto& e) { return e.first == late; });
          if (seen != s.quality_of_late.end()) {
            out.quality[r * g_count + g] = seen->second;
            continue;
          }
          for (std::size_t i = 0; i < batch_of.size(); ++i)
            s.mask[i] = times[batch_of[i]] <= deadlines[g];
          const double quality = metric.quality(s.mask);
          s.quality_of_late.emplace_back(late, quality);
          out.quality[r * g_count + g] = quality;
        }
      });
  return out;
}

}  // namespace tailq::detail
