// What the public TraceWriter does not offer: traces in an older schema version, for the tests
// that such traces still read and take appended rounds (version 2 traces are resumed as version
// 2, docs/trace-format.md), and a new experiment `extra` for the node list of an MPI job
// (docs/multi-node.md). Private to the library and its tests.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "tailq/trace.hpp"

namespace tailq::store {

struct WriterAccess {
  // TraceWriter::create, writing schema `version` (2 or 3).
  static TraceWriter create(const std::filesystem::path& path, const Experiment& experiment,
                            std::span<const Instance> instances, const Outcomes& outcomes,
                            bool sync_each_round, int version);
  // Replaces the experiment's extra JSON (and the header checksum) in one transaction, between
  // rounds of a writer that commits each round.
  static void set_extra(TraceWriter& writer, const std::string& extra_json);
  // The schema version it appends in (2 or 3).
  static int version(const TraceWriter& writer);
};

}  // namespace tailq::store
