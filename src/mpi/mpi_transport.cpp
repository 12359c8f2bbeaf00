// libtailq-mpi.so: the messages between the ranks of `mpirun -np K tailq run` on OpenMPI
// (collect/transport.hpp). Only MPI_COMM_WORLD and point-to-point messages: every rank talks
// to rank 0, the trace's writer.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "collect/transport.hpp"

namespace tailq::detail {
namespace {

using Clock = std::chrono::steady_clock;

// A message is its length (a uint64) and then its bytes in pieces that an int counts.
constexpr int kLengthTag = 1;
constexpr int kBytesTag = 2;
constexpr std::size_t kPiece = std::size_t{1} << 30;

// Waits for `request` without holding a core: MPI's own blocking calls spin. Looks again at
// once for a while (a message in flight), then sleeps between looks, up to 200 us: that much
// late at the end of a round of milliseconds or more costs nothing that matters.
void wait_politely(MPI_Request& request) {
  int done = 0;
  auto pause = std::chrono::microseconds(0);
  for (int looks = 0;; ++looks) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    if (looks > 100) {
      pause = std::min(std::chrono::microseconds(200), pause + std::chrono::microseconds(10));
      std::this_thread::sleep_for(pause);
    }
  }
}

class MpiTransport final : public Transport {
 public:
  MpiTransport() {
    int started = 0;
    MPI_Initialized(&started);
    if (!started && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
      throw std::runtime_error("MPI_Init failed");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void send(int to, std::string_view bytes) override {
    std::uint64_t length = bytes.size();
    MPI_Request request;
    MPI_Isend(&length, 1, MPI_UINT64_T, to, kLengthTag, MPI_COMM_WORLD, &request);
    wait_politely(request);
    for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
      const auto n = static_cast<int>(std::min(kPiece, bytes.size() - at));
      MPI_Isend(bytes.data() + at, n, MPI_BYTE, to, kBytesTag, MPI_COMM_WORLD, &request);
      wait_politely(request);
    }
  }

  std::string receive(int from) override {
    std::uint64_t length = 0;
    MPI_Request request;
    MPI_Irecv(&length, 1, MPI_UINT64_T, from, kLengthTag, MPI_COMM_WORLD, &request);
    wait_politely(request);
    const auto began = Clock::now();
    std::string bytes(length, '\0');
    for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
      const auto n = static_cast<int>(std::min<std::size_t>(kPiece, bytes.size() - at));
      MPI_Irecv(bytes.data() + at, n, MPI_BYTE, from, kBytesTag, MPI_COMM_WORLD, &request);
      wait_politely(request);
    }
    busy_s_ += std::chrono::duration<double>(Clock::now() - began).count();
    return bytes;
  }

  double receive_busy_s() const override { return busy_s_; }

  [[noreturn]] void abort(int status) override {
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);  // MPI_Abort does not return; this says so to the compiler
  }

  void finalize() override {
    int ended = 0;
    MPI_Finalized(&ended);
    if (!ended) MPI_Finalize();
  }

 private:
  int rank_ = 0, size_ = 1;
  double busy_s_ = 0;
};

Transport* open_transport() {
  static MpiTransport transport;
  return &transport;
}

const TransportTable kTable{kTransportAbi, &open_transport};

}  // namespace
}  // namespace tailq::detail

extern "C" __attribute__((visibility("default"))) const tailq::detail::TransportTable*
tailq_transport() {
  return &tailq::detail::kTable;
}
