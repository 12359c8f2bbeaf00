// The instances and outputs tables, read as one join in instance order: each instance, its
// batch and outcome, checked row by row, with every value fed to the header checksum as
// header_checksum() (trace_schema.hpp) reads it. Opening a trace of many instances costs mostly
// this read, so a large one is split between two connections (load_instances_split).
#pragma once

#include <cstddef>
#include <cstdint>

#include "store/checksum.hpp"
#include "store/sqlite.hpp"
#include "store/trace_schema.hpp"

namespace tailq::store {

// Fewer instances than this are read on one connection: opening a second one costs more.
inline constexpr std::size_t kSplitInstancesFrom = 8192;

// Reads the rows into `t` (whose batch_count and outcomes.kind are set), naming what is wrong
// to `problems` and feeding `header` every hashed value in order. Returns false when it stopped
// before the last row (the indices are not 0..N-1); `header` then lacks the rest.
bool load_instances(const sqlite::Database& db, LoadedTrace& t, Problems& problems,
                    ValueHasher& header);

// The same read, split in two halves read at once on two new connections to db's file (`db`
// itself reads nothing, so that a fallback to load_instances reports what it always would),
// for a caller inside a read transaction on `db`. Only a trace with nothing to report takes it: it
// returns false and leaves `t` as it was when the trace has fewer than `split_from` instances,
// is in WAL mode (a writer may commit between the two connections' snapshots; in rollback mode
// the caller's read lock keeps writers out), has any problem in these tables, or the rows do
// not hash to `stored_header` with the experiment already fed to `header`. The caller then
// reads them with load_instances, which names what is wrong. `header` is spent either way.
bool load_instances_split(const sqlite::Database& db, LoadedTrace& t, ValueHasher& header,
                          std::uint64_t stored_header, std::size_t split_from);

}  // namespace tailq::store
