// How the ranks of an MPI job talk (docs/multi-node.md). The core links no MPI: libtailq-mpi.so
// implements this interface on OpenMPI and is loaded only by a `tailq run` that mpirun started
// with two or more processes, so every other command starts without MPI's libraries (and their
// start-up time and memory). The interface is internal: the library ships with tailq's own build,
// and the loader refuses one of another kTransportAbi.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tailq::detail {

inline constexpr int kTransportAbi = 2;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Blocking messages of any length between two ranks, delivered in order. A rank waiting for
  // one sleeps between looks rather than spinning, so that it leaves the cores to the ranks
  // (and the workloads) that share its machine.
  virtual void send(int to, std::string_view bytes) = 0;
  virtual std::string receive(int from) = 0;
  // Seconds spent moving the bytes of received messages once they began to arrive (not the
  // wait for them).
  virtual double receive_busy_s() const = 0;
  // Collectives, for the sharded analyses (predict, converge): every rank calls them in the same
  // order, and they wait as politely as receive. `gather`: rank 0 gets every rank's bytes in
  // rank order (its own first), the others an empty list. `broadcast`: rank 0's bytes on every
  // rank (what the others pass is ignored).
  virtual std::vector<std::string> gather(std::string_view bytes) = 0;
  virtual std::string broadcast(std::string_view bytes) = 0;
  // Ends every process of the job at once with `status`: for when the ranks cannot agree.
  [[noreturn]] virtual void abort(int status) = 0;
  // Once on every rank, after its last message.
  virtual void finalize() = 0;
};

// What libtailq-mpi.so exports as tailq_transport(). `open` starts MPI (once per process) and
// returns the job's transport; it throws std::runtime_error when MPI cannot start.
struct TransportTable {
  int abi = kTransportAbi;
  Transport* (*open)() = nullptr;
};

}  // namespace tailq::detail
