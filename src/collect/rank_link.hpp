// The messages of an MPI job's ranks (docs/multi-node.md) over a Transport: a byte codec, the
// errors a rank reports to rank 0, and the set-up phases in which every rank must succeed before
// any goes on. Private to src/collect.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "collect/byte_codec.hpp"
#include "collect/transport.hpp"

namespace tailq {
struct LaunchedJob;
}

namespace tailq::detail {

// libtailq-mpi.so's transport for the job that mpirun started (loaded once). Throws InputError
// on rank 0, RankExit on the others, when it is missing or of another interface version.
Transport& open_transport(const LaunchedJob& job);

// The first byte of rank 0's word that the job failed (in a phase or a step), followed by the
// exit status of the ranks.
inline constexpr std::uint8_t kJobFailed = 0xff;

// An error of one rank, as rank 0 reports it for the job.
struct Failure {
  enum class Kind : std::uint8_t { option, input, store, other } kind = Kind::other;
  std::string key;      // option errors: the option's key
  std::string message;  // the error's own message
  std::string where;    // "rank 1 (node7)"; empty on rank 0
  void write(ByteWriter& out) const;
  static Failure read(ByteReader& in);
  int exit_status() const { return kind == Kind::other ? 1 : 2; }
};

// Runs `f`; returns what it threw as a Failure (tailq's errors by kind, others as `other`).
std::optional<Failure> attempt(const std::function<void()>& f, const std::string& where);
// Throws the error again as its kind, its message prefixed by where it happened.
[[noreturn]] void rethrow(const Failure& failure);

// A rank's report in an exchange, and rank 0's verdict: go on (with a result or rank 0's
// answer), or failed (a Failure; in a verdict kJobFailed and the exit status).
enum : std::uint8_t { kFailed = 0, kGoOn = 1 };
// A report: the rank's failure when it has one, else its result.
ByteWriter report_of(const std::optional<Failure>& failure, std::string_view result);

class Ranks {
 public:
  explicit Ranks(Transport& transport);
  int rank() const { return transport_.rank(); }
  int size() const { return transport_.size(); }
  bool lead() const { return rank() == 0; }
  Transport& transport() { return transport_; }
  // "rank 1 (node7)" for this rank; empty for rank 0, whose errors are the job's own.
  const std::string& where() const { return where_; }

  void send(int to, const ByteWriter& message) { transport_.send(to, message.bytes()); }
  std::string receive(int from) { return transport_.receive(from); }
  // Rank 0: the same message to every other rank.
  void broadcast(const ByteWriter& message);

  // One step of setting up, in which every rank must succeed: each runs `local` (returning its
  // report), then rank 0 runs `judge` over every report (index: rank) and every rank gets its
  // answer. The first failure (rank 0's own first, then in rank order; then the judge's) ends the
  // job on every rank: rank 0 throws it, naming the rank, the others throw RankExit.
  std::string phase(const std::function<std::string()>& local,
                    const std::function<std::string(const std::vector<std::string>&)>& judge);

  // Rank 0: tells the others that the job failed (they throw RankExit), then throws `failure`.
  [[noreturn]] void fail(const Failure& failure);
  // Other ranks: the job failed, rank 0 said so with `status`.
  [[noreturn]] void failed(int status);
  // Whether every rank knows that the job ended (in an error or not): MPI may then end in
  // order; otherwise a rank must abort the job.
  bool agreed() const { return agreed_; }
  void set_agreed() { agreed_ = true; }

 private:
  Transport& transport_;
  std::string where_;
  bool agreed_ = false;
};

}  // namespace tailq::detail
