// What the public TraceWriter does not offer: traces in an older schema version, for the tests
// that such traces still read and take appended rounds (version 2 traces are resumed as version
// 2, docs/trace-format.md), and for an MPI job's writer (docs/multi-node.md) a new experiment
// `extra` (its node list) and rounds committed in groups. Private to the library and its tests.
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
  // Rounds measured together (an MPI job's step): the rounds appended between begin_group and
  // commit_group are stored in one transaction, as one block while their indices follow each
  // other and it has room, so that they cost one sync of the disk. If a round of the group fails,
  // or the process dies before commit_group returns, none of them is stored.
  static void begin_group(TraceWriter& writer);
  static void commit_group(TraceWriter& writer);
};

}  // namespace tailq::store
