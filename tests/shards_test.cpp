// Sharded analyses (tailq/shards.hpp) without MPI: K ranks as K threads of this process over an
// in-memory transport, so that the answer can be checked against one process's for K of 1 to 4
// (tests/mpi_run_test.sh checks 2 ranks under mpirun).
#include "tailq/shards.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "analyse/engine_scanned.hpp"
#include "analyse/loaded_rounds.hpp"
#include "analyse/round_passes.hpp"
#include "collect/transport.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/predict.hpp"
#include "tailq/ranks.hpp"
#include "tailq/report.hpp"
#include "tailq/synthetic.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

// Every rank puts its bytes in; once all have, every rank gets all of them. (Collectives only:
// the sharded analyses use no messages.)
class Hub {
 public:
  explicit Hub(int size) : size_(size), slots_(static_cast<std::size_t>(size)) {}
  int size() const { return size_; }
  std::vector<std::string> all_to_all(int rank, std::string_view bytes) {
    std::unique_lock lock(mutex_);
    const std::uint64_t generation = generation_;
    slots_[static_cast<std::size_t>(rank)] = std::string(bytes);
    if (++arrived_ == size_) {
      last_ = std::move(slots_);
      slots_.assign(static_cast<std::size_t>(size_), std::string());
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation_ != generation; });
    }
    return last_;  // no exchange ends before this rank has joined it, so last_ is this one's
  }

 private:
  int size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> slots_, last_;
  int arrived_ = 0;
  std::uint64_t generation_ = 0;
};

class ThreadTransport final : public detail::Transport {
 public:
  ThreadTransport(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_.size(); }
  void send(int, std::string_view) override { throw std::logic_error("no messages"); }
  std::string receive(int) override { throw std::logic_error("no messages"); }
  double receive_busy_s() const override { return 0; }
  std::vector<std::string> gather(std::string_view bytes) override {
    std::vector<std::string> all = hub_.all_to_all(rank_, bytes);
    if (rank_ != 0) all.clear();
    return all;
  }
  std::string broadcast(std::string_view bytes) override {
    return hub_.all_to_all(rank_, rank_ == 0 ? bytes : std::string_view())[0];
  }
  [[noreturn]] void abort(int) override { std::abort(); }
  void finalize() override {}

 private:
  Hub& hub_;
  int rank_;
};

// Runs `job` on K ranks (threads); returns rank 0's result, and what every rank threw.
struct JobResult {
  std::string answer;
  std::vector<std::string> errors;  // per rank: "" or the error's message
  std::vector<int> exits;           // per rank: RankExit's status, or -1
};
JobResult run_ranks(int k, const std::function<std::string(Shards&)>& job) {
  Hub hub(k);
  JobResult result;
  result.errors.resize(static_cast<std::size_t>(k));
  result.exits.assign(static_cast<std::size_t>(k), -1);
  std::vector<std::thread> ranks;
  for (int r = 0; r < k; ++r) {
    ranks.emplace_back([&, r] {
      ThreadTransport transport(hub, r);
      Shards shards(transport);
      const auto i = static_cast<std::size_t>(r);
      try {
        std::string answer = job(shards);
        if (r == 0) result.answer = std::move(answer);
      } catch (const RankExit& e) {
        result.exits[i] = e.status();
      } catch (const std::exception& e) {
        result.errors[i] = e.what();
      }
    });
  }
  for (auto& t : ranks) t.join();
  return result;
}

// Runs `answer` alone and on 1 to 4 ranks: rank 0's answer must be the one process's, and no
// rank may fail. Returns the one process's answer.
std::string expect_the_one_processs(const std::function<std::string(Shards&)>& answer) {
  Shards alone;
  const std::string one = answer(alone);
  for (int k = 1; k <= 4; ++k) {
    const JobResult r = run_ranks(k, answer);
    EXPECT_EQ(r.answer, one) << k << " ranks";
    for (const std::string& e : r.errors) EXPECT_EQ(e, "") << k << " ranks";
  }
  return one;
}

// A trace of `rounds` x `instances` from tailq generate's model, rounds drifting by 5%.
void generate(const std::filesystem::path& path, std::size_t rounds, std::size_t instances,
              std::uint64_t seed, std::size_t batch_size = 1) {
  SyntheticSpec spec;
  spec.rounds = rounds;
  spec.instances = instances;
  spec.batch_size = batch_size;
  spec.round_drift = 0.05;
  spec.seed = seed;
  generate_synthetic_trace(spec, path);
}

TEST(Shards, ShareContiguousRangesInRankOrder) {
  const JobResult r = run_ranks(3, [](Shards& s) {
    std::string out;
    for (std::size_t count : {10u, 2u, 0u}) {
      const auto [first, last] = s.share(count);
      out += std::to_string(first) + "-" + std::to_string(last) + " ";
    }
    // Rank 0 gets every rank's part, in rank order.
    std::string all;
    for (const std::string& part : s.gather([&] { return out; })) all += part + "| ";
    return all;
  });
  EXPECT_EQ(r.answer, "0-4 0-1 0-0 | 4-7 1-2 0-0 | 7-10 2-2 0-0 | ");
  const Shards alone;
  EXPECT_EQ(alone.share(5), std::make_pair(std::size_t{0}, std::size_t{5}));
}

TEST(Shards, AnErrorOnOneRankEndsTheExchangeOnEveryRank) {
  const JobResult r = run_ranks(3, [](Shards& s) {
    const std::string settled = s.broadcast([] { return std::string("deadlines"); });
    s.gather([&]() -> std::string {
      if (s.rank() == 2) throw InputError("x.trace: no such trace file");
      return settled;
    });
    return std::string("not reached");
  });
  EXPECT_EQ(r.answer, "");
  EXPECT_NE(r.errors[0].find("rank 2 ("), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[0].find("): x.trace: no such trace file"), std::string::npos) << r.errors[0];
  // The others end quietly: RankExit carries the job's status 2 (main() then exits 0, so that
  // mpirun lets rank 0 say why).
  EXPECT_EQ(r.exits, (std::vector<int>{-1, 2, 2}));
  EXPECT_EQ(r.errors[1] + r.errors[2], "");
}

TEST(Shards, PredictionAndConvergenceAreTheOneProcesssForAnyNumberOfRanks) {
  const testing::TempDir dir;
  generate(dir / "g.trace", 37, 90, 4);
  PredictionRequest predict;
  predict.thresholds = parse_thresholds("p90,p99");
  predict.simulations = 101;
  predict.threads = 1;
  ConvergenceSettings converge;
  converge.fit_every = 2;
  converge.window = 3;
  auto answer = [&](Shards& s) {
    const TraceReader trace(dir / "g.trace");
    const PredictionReport p = predict_trace(trace, predict, s);
    const ConvergenceReport c = replay_convergence(trace, converge, 7, s);
    return s.lead() ? to_json(p) + to_json(c) : std::string();
  };
  EXPECT_NE(expect_the_one_processs(answer).find("\"rjsd\""), std::string::npos);
}

// Every path of the engine: percentile deadlines resolved from stand-ins (fused), a sweep to a
// percentile and between the outlier fences (plain passes), absolute deadlines, the precision
// estimate's second analysis, and fewer rounds than ranks (a rank with no rounds).
TEST(Shards, AnalysisIsTheOneProcesssForAnyNumberOfRanks) {
  const testing::TempDir dir;
  SyntheticSpec spec;
  spec.rounds = 23;
  spec.instances = 150;
  spec.batch_size = 2;
  spec.round_drift = 0.05;
  spec.stall_probability = 0.02;
  spec.seed = 9;
  generate_synthetic_trace(spec, dir / "g.trace");
  std::vector<TraceAnalysisOptions> cases(4);
  cases[0].request.thresholds = parse_thresholds("p50,p99,4.5ms,p99.9");
  cases[0].request.sweep = 17;
  cases[0].precision = PrecisionGoal{};
  cases[1].request.thresholds = parse_thresholds("p95");
  cases[1].request.sweep = 9;
  cases[1].request.sweep_top = 99;
  cases[1].request.sweep_geometric = true;
  cases[1].metric = "f1-macro";
  cases[2].request.sweep = 12;
  cases[2].request.sweep_trim_outliers = true;
  cases[2].time = TimeKind::inference;
  cases[3].request.thresholds = parse_thresholds("p90,5ms");
  cases[3].first_round = 4;
  cases[3].last_round = 7;  // 3 rounds: the fourth rank has none
  for (TraceAnalysisOptions& o : cases) o.request.threads = 2;
  auto answer = [&](Shards& s) {
    const TraceReader trace(dir / "g.trace");
    std::string out;
    for (const TraceAnalysisOptions& o : cases) out += to_json(analyze_trace(trace, o, s)) + "\n";
    return out;
  };
  EXPECT_NE(expect_the_one_processs(answer).find("\"precision\""), std::string::npos);
}

// A metric that is not a sum of per-instance statistics: each round and deadline is scored by
// one call (the engine's generic pass), here the share of on-time instances squared.
class SquaredShare final : public Metric {
 public:
  std::string_view name() const override { return "squared-share"; }
  double quality(std::span<const std::uint8_t> on_time) const override {
    double n = 0;
    for (std::uint8_t x : on_time) n += x;
    const double share = n / static_cast<double>(on_time.size());
    return share * share;
  }
};

TEST(Shards, GenericScoringIsTheOneProcesssForAnyNumberOfRanks) {
  const testing::TempDir dir;
  generate(dir / "g.trace", 11, 60, 5);
  AnalysisRequest request;
  request.thresholds = parse_thresholds("p90,p99,4ms");
  request.sweep = 7;
  request.threads = 1;
  const SquaredShare metric;
  auto answer = [&](Shards& s) {
    const TraceReader trace(dir / "g.trace");
    const std::vector<std::int64_t> all = measured_rounds(trace);
    const auto [first, last] = s.share(all.size());
    const auto source = detail::rounds_to_analyse(
        trace, TimeKind::total,
        std::vector<std::int64_t>(all.begin() + static_cast<std::ptrdiff_t>(first),
                                  all.begin() + static_cast<std::ptrdiff_t>(last)),
        1);
    const detail::RoundPasses passes(*source, first, all.size(), s, 1);
    return to_json(
        detail::analyze_scanned(passes, passes.scan(), trace.batch_of_instance(), metric, request));
  };
  EXPECT_NE(expect_the_one_processs(answer).find("squared-share"), std::string::npos);
}

}  // namespace
}  // namespace tailq
