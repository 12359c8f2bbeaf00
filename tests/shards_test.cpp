// Sharded analyses (tailq/shards.hpp) without MPI: K ranks as K threads of this process over an
// in-memory transport, so that the answer can be checked against one process's for K of 1 to 4
// (tests/mpi_run_test.sh checks 2 ranks under mpirun).
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "collect/transport.hpp"
#include "tailq/convergence.hpp"
#include "tailq/error.hpp"
#include "tailq/predict.hpp"
#include "tailq/ranks.hpp"
#include "tailq/report.hpp"
#include "tailq/shards.hpp"
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
  EXPECT_EQ(r.exits, (std::vector<int>{-1, 2, 2}));  // the others end quietly, status 2
  EXPECT_EQ(r.errors[1] + r.errors[2], "");
}

TEST(Shards, PredictionAndConvergenceAreTheOneProcesssForAnyNumberOfRanks) {
  const testing::TempDir dir;
  SyntheticSpec spec;
  spec.rounds = 37;
  spec.instances = 90;
  spec.round_drift = 0.05;
  spec.seed = 4;
  generate_synthetic_trace(spec, dir / "g.trace");
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
  Shards alone;
  const std::string one = answer(alone);
  EXPECT_NE(one.find("\"rjsd\""), std::string::npos);
  for (int k = 1; k <= 4; ++k) {
    const JobResult r = run_ranks(k, answer);
    EXPECT_EQ(r.answer, one) << k << " ranks";
    for (const std::string& e : r.errors) EXPECT_EQ(e, "") << k << " ranks";
  }
}

}  // namespace
}  // namespace tailq
