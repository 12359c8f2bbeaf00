// The processes of one MPI job sharing an analysis (`mpirun -np K tailq predict | converge`,
// docs/multi-node.md, "Sharded analysis"): every rank does its share of the work and rank 0
// assembles the answer, the same to the byte as one process's. One process is a job of one, and
// then nothing is exchanged and MPI is not loaded.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tailq {
namespace detail {
class Transport;
}

class Shards {
 public:
  Shards() = default;  // one process: rank 0 of 1
  explicit Shards(detail::Transport& transport);
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool lead() const { return rank_ == 0; }
  // This rank's items [first, last) of `count`: contiguous shares in rank order whose sizes
  // differ by at most one, so that rank 0's results come first when they are gathered.
  std::pair<std::size_t, std::size_t> share(std::size_t count) const;

  // Exchanges, which every rank calls in the same order. An error of any rank ends the exchange
  // on every rank: rank 0 throws the first one (its own, then in rank order), its message
  // prefixed by the rank that hit it; the other ranks throw RankExit (tailq/ranks.hpp) and say
  // nothing.
  // Every rank runs `part`; rank 0 gets the results in rank order, the others an empty list.
  std::vector<std::string> gather(const std::function<std::string()>& part);
  // Rank 0 runs `make`; every rank gets its result.
  std::string broadcast(const std::function<std::string()>& make);

 private:
  friend void run_sharded(const std::function<void(Shards&)>& body);
  // One round of an exchange: every rank's report to rank 0, rank 0's verdict to every rank.
  std::string exchange(const std::function<std::string()>& local,
                       const std::function<std::string(std::vector<std::string>&)>& judge);
  // Reports this rank's own error in the exchange the other ranks are in (or the last one),
  // then throws it (rank 0) or RankExit.
  [[noreturn]] void fail(std::exception_ptr error);

  detail::Transport* transport_ = nullptr;
  int rank_ = 0, size_ = 1;
  std::string where_;    // "rank 1 (node7)"; empty on rank 0
  bool agreed_ = false;  // an exchange ended in an error that every rank knows of
};

// Runs `body` as this process's share of the MPI job that mpirun started, with the job's ranks
// (libtailq-mpi.so, loaded here). An error that `body` throws between exchanges is reported in
// the exchange the other ranks wait in, as an error inside one; the job ends with one last
// exchange, so that no rank finishes while another still has an error to report. Throws
// InputError (rank 0) when tailq was built without its MPI part.
void run_sharded(const std::function<void(Shards&)>& body);

// Runs `body` with this process's shards: the job's (run_sharded) when mpirun started two or
// more processes, else alone. Returns whether this process has the answer (rank 0).
bool run_shared(const std::function<void(Shards&)>& body);

}  // namespace tailq
