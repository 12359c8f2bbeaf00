#include "store/round_blocks.hpp"

#include <bit>
#include <cmath>
#include <cstring>

namespace tailq::store {

static_assert(std::endian::native == std::endian::little,
              "round metadata is packed as native little-endian numbers");

std::string rounds_name(std::int64_t first, std::size_t count) {
  if (count == 1) return "round " + std::to_string(first);
  return "rounds " + std::to_string(first) + " to " +
         std::to_string(first + static_cast<std::int64_t>(count) - 1);
}

bool BlockBuilder::fits(std::int64_t round, bool with_timings) const {
  if (empty()) return true;
  return round == first_ + static_cast<std::int64_t>(rounds()) &&
         inference_.size() + batches_ <= kBlockValues &&
         (!with_timings || (timings_.size() + instances_) * 4 <= kBlockValues);
}

void BlockBuilder::add(const RoundInfo& round, std::span<const double> inference,
                       std::span<const double> total, std::span<const QueryTiming> timings,
                       std::optional<std::uint32_t> node, std::optional<double> ended_unix_s) {
  if (empty()) first_ = round.index;
  std::uint8_t flags = 0;
  if (round.warmup) flags |= kWarmupFlag;
  if (round.output_hash) {
    flags |= kOutputHashFlag;
    hashes_.push_back(*round.output_hash);
  }
  if (round.offered_qps) {
    flags |= kOfferedQpsFlag;
    offered_.push_back(*round.offered_qps);
  }
  if (!timings.empty()) {
    flags |= kQueryFlag;
    timings_.insert(timings_.end(), timings.begin(), timings.end());
  }
  if (node) {
    flags |= kNodeFlag;
    nodes_.push_back(*node);
  }
  if (ended_unix_s) {
    flags |= kEndedFlag;
    ended_.push_back(*ended_unix_s + 0.0);
  }
  flags_.push_back(flags);
  started_.push_back(round.started_unix_s + 0.0);  // -0 reads back as +0
  measured_ += round.warmup ? 0 : 1;
  inference_.insert(inference_.end(), inference.begin(), inference.end());
  total_.insert(total_.end(), total.begin(), total.end());
}

void BlockBuilder::clear() {
  measured_ = 0;
  flags_.clear();
  started_.clear();
  offered_.clear();
  hashes_.clear();
  nodes_.clear();
  ended_.clear();
  inference_.clear();
  total_.clear();
  timings_.clear();
}

namespace {

template <typename T>
void append_bytes(std::string& out, const std::vector<T>& values) {
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

}  // namespace

std::string BlockBuilder::info() const {
  std::string out;
  out.reserve(flags_.size() * 9 + (hashes_.size() + offered_.size() + ended_.size()) * 8 +
              nodes_.size() * 4);
  append_bytes(out, flags_);
  append_bytes(out, started_);
  append_bytes(out, hashes_);
  append_bytes(out, offered_);
  append_bytes(out, nodes_);
  append_bytes(out, ended_);
  return out;
}

std::string unpack_info(std::int64_t first, std::size_t count, std::string_view info,
                        std::vector<RoundInfo>* rounds, std::vector<std::uint8_t>& flags,
                        RoundTags& tags, BlockRounds& found) {
  if (info.size() < count * 9) {
    return rounds_name(first, count) + ": round metadata holds " + std::to_string(info.size()) +
           " bytes, expected " + std::to_string(count * 9) + " or more";
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(info.data());
  std::size_t hashes = 0, offered = 0, nodes = 0, ends = 0;
  for (std::size_t k = 0; k < count; ++k) {
    if ((bytes[k] & ~kKnownFlags) != 0) {
      return rounds_name(first + static_cast<std::int64_t>(k), 1) + ": unknown round flags " +
             std::to_string(bytes[k]);
    }
    hashes += (bytes[k] & kOutputHashFlag) != 0;
    offered += (bytes[k] & kOfferedQpsFlag) != 0;
    nodes += (bytes[k] & kNodeFlag) != 0;
    ends += (bytes[k] & kEndedFlag) != 0;
  }
  const std::size_t expected = count * 9 + (hashes + offered + ends) * 8 + nodes * 4;
  if (info.size() != expected) {
    return rounds_name(first, count) + ": round metadata holds " + std::to_string(info.size()) +
           " bytes, expected " + std::to_string(expected);
  }
  const unsigned char* started = bytes + count;
  const unsigned char* hash = started + count * 8;
  const unsigned char* qps = hash + hashes * 8;
  const unsigned char* node = qps + offered * 8;
  const unsigned char* ended = node + nodes * 4;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint8_t f = bytes[k];
    const std::int64_t index = first + static_cast<std::int64_t>(k);
    double start = 0, load = 0;
    std::uint64_t output_hash = 0;
    std::memcpy(&start, started + k * 8, 8);
    if (!std::isfinite(start))
      found.bad.push_back(rounds_name(index, 1) + ": start time is not a finite number");
    if (f & kOutputHashFlag) {
      std::memcpy(&output_hash, hash, 8);
      hash += 8;
    }
    if (f & kOfferedQpsFlag) {
      std::memcpy(&load, qps, 8);
      qps += 8;
      if (!(std::isfinite(load) && load > 0)) {
        found.bad.push_back(rounds_name(index, 1) + ": offered load is not a positive number");
      }
    }
    const std::size_t position = flags.size();
    if (f & kNodeFlag) {
      std::uint32_t n = 0;
      std::memcpy(&n, node, 4);
      node += 4;
      tags.nodes.resize(position, 0);
      tags.nodes.push_back(n);
    } else if (!tags.nodes.empty()) {
      tags.nodes.push_back(0);
    }
    if (f & kEndedFlag) {
      double end = 0;
      std::memcpy(&end, ended, 8);
      ended += 8;
      if (!(std::isfinite(end) && end >= start)) {
        found.bad.push_back(rounds_name(index, 1) +
                            ": end time is not a finite time after its start");
      }
      tags.ended_unix_s.resize(position, std::nan(""));
      tags.ended_unix_s.push_back(end);
    } else if (!tags.ended_unix_s.empty()) {
      tags.ended_unix_s.push_back(std::nan(""));
    }
    found.measured += (f & kWarmupFlag) == 0;
    found.query_rounds += (f & kQueryFlag) != 0;
    flags.push_back(f);
    if (rounds == nullptr) continue;
    RoundInfo& round = rounds->emplace_back();
    round.index = index;
    round.warmup = (f & kWarmupFlag) != 0;
    round.started_unix_s = start;
    if (f & kOutputHashFlag) round.output_hash = output_hash;
    if (f & kOfferedQpsFlag) round.offered_qps = load;
  }
  return {};
}

}  // namespace tailq::store
