// Round blocks (schema version 3, docs/trace-format.md "Round blocks"): consecutive rounds
// stored as one row per table, so that a trace of a million one-instance rounds costs what its
// values do, not a SQLite row (and a B-tree lookup) per round. Private to src/store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq::store {

// Bits of a round's flag byte in the packed metadata.
enum RoundFlag : std::uint8_t {
  kWarmupFlag = 1,
  kOutputHashFlag = 2,
  kOfferedQpsFlag = 4,
  kQueryFlag = 8,  // the round has a query timeline
  // Rounds of an MPI job (docs/multi-node.md): the node that measured it, and when it ended.
  kNodeFlag = 16,
  kEndedFlag = 32,
};
inline constexpr std::uint8_t kKnownFlags = 63;

// A bulk writer closes a block before it would hold more than this many values of one kind (a
// round with more batches, or a query timeline with more values, is a block of its own): large
// enough that a block costs what its values do, small enough that a reader of one round reads
// little it does not need.
inline constexpr std::size_t kBlockValues = std::size_t{1} << 15;

// "round 7" or "rounds 7 to 9": how problems name a block's rounds.
std::string rounds_name(std::int64_t first, std::size_t count);

// The rounds of one block as the writer collects them.
class BlockBuilder {
 public:
  BlockBuilder(std::size_t batches, std::size_t instances)
      : batches_(batches), instances_(instances) {}
  bool empty() const { return flags_.empty(); }
  std::size_t rounds() const { return flags_.size(); }
  std::int64_t first() const { return first_; }
  // Whether `round` can join this block without making it larger than kBlockValues (an empty
  // block takes any round).
  bool fits(std::int64_t round, bool with_timings) const;
  void add(const RoundInfo& round, std::span<const double> inference, std::span<const double> total,
           std::span<const QueryTiming> timings, std::optional<std::uint32_t> node = {},
           std::optional<double> ended_unix_s = {});
  void clear();

  std::int64_t measured() const { return measured_; }
  // The packed metadata: n flag bytes, n started_unix_s, then the output hashes, offered loads,
  // nodes and end times of the rounds that have them (little-endian, in round order).
  std::string info() const;
  std::span<const double> inference() const { return inference_; }
  std::span<const double> total() const { return total_; }
  std::span<const QueryTiming> timings() const { return timings_; }

 private:
  std::size_t batches_, instances_;
  std::int64_t first_ = 0, measured_ = 0;
  std::vector<std::uint8_t> flags_;
  std::vector<double> started_, offered_, ended_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> nodes_;
  std::vector<double> inference_, total_;
  std::vector<QueryTiming> timings_;
};

// What unpack_info found in a block besides the layout.
struct BlockRounds {
  std::int64_t measured = 0;     // rounds that are not warm-up rounds
  std::size_t query_rounds = 0;  // rounds with a query timeline
  std::vector<std::string> bad;  // problems of single rounds' values
};

// The node and end time of every round, kept apart from RoundInfo so that a trace without them
// (one measured in one place) costs nothing more. Both empty until a round has one; from then on
// one entry per round: node 0 (docs/multi-node.md) and NaN for rounds without.
struct RoundTags {
  std::vector<std::uint32_t> nodes;
  std::vector<double> ended_unix_s;
};

// Decodes and checks a block's packed metadata: appends each round's flags to `flags`, its node
// and end time to `tags` and, when `rounds` is given, its RoundInfo (indices
// first..first+count-1). Returns the problem with the layout (nothing is appended then), or an
// empty string. `tailq check` needs no RoundInfo, whose 56 bytes per round cost more than the
// rest of a check of a million tiny rounds.
std::string unpack_info(std::int64_t first, std::size_t count, std::string_view info,
                        std::vector<RoundInfo>* rounds, std::vector<std::uint8_t>& flags,
                        RoundTags& tags, BlockRounds& found);

}  // namespace tailq::store
