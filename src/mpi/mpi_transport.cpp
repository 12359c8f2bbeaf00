// libtailq-mpi.so: the messages between the ranks of `mpirun -np K tailq run` on OpenMPI
// (collect/transport.hpp) and of the sharded analyses. Only MPI_COMM_WORLD: point-to-point
// messages (every rank of a run talks to rank 0, the trace's writer), and a gather to rank 0
// and a broadcast from it, both on MPI's non-blocking collectives so that a rank waits
// politely.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
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

  std::vector<std::string> gather(std::string_view bytes) override {
    // Every rank learns every length, so that all take the same path: one MPI_Igatherv while the
    // lengths and offsets fit MPI's ints, else point-to-point messages to rank 0 in rank order.
    std::vector<std::uint64_t> lengths(static_cast<std::size_t>(size_));
    std::uint64_t mine = bytes.size();
    MPI_Request request;
    MPI_Iallgather(&mine, 1, MPI_UINT64_T, lengths.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD,
                   &request);
    wait_politely(request);
    const std::uint64_t total = std::accumulate(lengths.begin(), lengths.end(), std::uint64_t{0});
    std::vector<std::string> parts;
    if (total > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      if (rank_ != 0) {
        send(0, bytes);
        return parts;
      }
      parts.emplace_back(bytes);
      for (int r = 1; r < size_; ++r) parts.push_back(receive(r));
      return parts;
    }
    std::vector<int> counts(lengths.begin(), lengths.end()), offsets(counts.size(), 0);
    std::exclusive_scan(counts.begin(), counts.end(), offsets.begin(), 0);
    std::string all(rank_ == 0 ? total : 0, '\0');
    MPI_Igatherv(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, all.data(), counts.data(),
                 offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD, &request);
    wait_politely(request);
    if (rank_ != 0) return parts;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      parts.push_back(
          all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(counts[r])));
    }
    return parts;
  }

  std::string broadcast(std::string_view bytes) override {
    std::uint64_t length = bytes.size();
    MPI_Request request;
    MPI_Ibcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request);
    wait_politely(request);
    std::string out = rank_ == 0 ? std::string(bytes) : std::string(length, '\0');
    for (std::size_t at = 0; at < out.size(); at += kPiece) {
      const auto n = static_cast<int>(std::min(kPiece, out.size() - at));
      MPI_Ibcast(out.data() + at, n, MPI_BYTE, 0, MPI_COMM_WORLD, &request);
      wait_politely(request);
    }
    return out;
  }

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
