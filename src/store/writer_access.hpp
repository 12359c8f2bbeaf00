// Traces in an older schema version, for the tests that such traces still read and take
// appended rounds (version 2 traces are resumed as version 2, docs/trace-format.md). Private to
// src/store and its tests.
#pragma once

#include <filesystem>
#include <span>

#include "tailq/trace.hpp"

namespace tailq::store {

struct WriterAccess {
  // TraceWriter::create, writing schema `version` (2 or 3).
  static TraceWriter create(const std::filesystem::path& path, const Experiment& experiment,
                            std::span<const Instance> instances, const Outcomes& outcomes,
                            bool sync_each_round, int version);
};

}  // namespace tailq::store
