// The trace: everything measured in one experiment, kept in one SQLite file (schema in
// docs/trace-format.md). Writers append whole rounds, one transaction each, so a killed process
// loses at most the round in flight (bulk writers into a temporary file: one for the file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tailq {

// Which time an analysis uses: the model call alone, or pre-processing + inference +
// post-processing (what the user of the model waits for).
enum class TimeKind { inference, total };
std::string_view to_string(TimeKind kind);
TimeKind parse_time_kind(std::string_view text);  // throws InputError

// Version 2 added load scenarios (rounds.offered_qps, query_times); version 3 stores rounds in
// blocks of consecutive rounds; version 4 puts each times row's checksum before its BLOB (read
// at open without walking the BLOB). Version 1 files are read, and migrated to version 2 when a
// run appends to them; versions 2 and 3 are read, and take appended rounds in their own version.
inline constexpr int kTraceSchemaVersion = 4;

namespace store {
struct WriterAccess;
}

struct Experiment {
  std::string model;
  std::string dataset;
  std::string backend;
  std::string metric;                // default metric of `tailq analyze`, e.g. "accuracy"
  std::string system_json = "{}";    // description of the machine (JSON object)
  std::string settings_json = "{}";  // run settings (JSON object)
  std::string extra_json = "{}";     // free-form (JSON object)
  // What looked wrong in the data when it was imported (tailq import): shown by every reader.
  std::vector<std::string> warnings;
};

struct Instance {
  std::string name;                  // the user's id, unique in the trace
  std::uint32_t batch = 0;           // dense batch index, 0..batch_count-1
  std::optional<double> input_size;  // e.g. pixels or tokens
};

// What the metric needs of each instance's answer (instances in trace order).
struct Outcomes {
  // text: one line of text per instance (OCR, transcription), scored by edit distance.
  // ranking: per user, the relevant items and the ranked list (recommendation, docs/ranking.md).
  // none: latency only, no answers were recorded; the only metric is "on-time".
  // detection: per image, the ground-truth boxes (label) and the detected boxes (prediction),
  // each a compact JSON array (docs/detection.md, "In a trace"), scored by COCO AP.
  enum class Kind { classification, score, text, ranking, none, detection };
  Kind kind = Kind::classification;
  std::vector<std::string> labels;       // classification: the true label; text: the reference;
                                         // ranking: the relevant items separated by spaces
  std::vector<std::string> predictions;  // classification: labels separated by spaces, best
                                         // first; text: the recognised text (UTF-8); ranking:
                                         // the ranked items separated by spaces, best first
  std::vector<double> scores;            // score: quality of the answer in [0, 1]
};
// The outcome_kind stored in a trace: "classification", "score", "text", "ranking", "none" or
// "detection".
std::string_view to_string(Outcomes::Kind kind);
std::optional<Outcomes::Kind> parse_outcome_kind(std::string_view text);  // nullopt: unknown
// Whether the kind keeps a label and a prediction (text) per instance.
bool has_labels(Outcomes::Kind kind);

struct RoundInfo {
  std::int64_t index = 0;
  bool warmup = false;
  double started_unix_s = 0;
  // A hash of the round's outputs (e.g. every instance's top-5 classes), when the collector
  // knows them: rounds whose hashes differ answered differently.
  std::optional<std::uint64_t> output_hash;
  // Load scenarios: the load offered while the round ran, in queries per second.
  std::optional<double> offered_qps;
};

// One instance's query under load, in seconds from the round's first scheduled arrival: when it
// was due, when the load generator issued it, when a worker began its batch, when it was
// answered. Latency runs from `scheduled_s`, so a slow system cannot hide its queue.
struct QueryTiming {
  double scheduled_s = 0, issued_s = 0, started_s = 0, finished_s = 0;
};

// What a collector may store with a round besides its times; each is empty or has one entry
// per instance.
struct RoundExtras {
  // Replace the stored outputs: a collector records those of the first measured round with it.
  std::span<const std::string> predictions;
  std::span<const double> scores;
  std::span<const QueryTiming> timings;  // a load scenario's query timeline
  // Rounds of an MPI job (docs/multi-node.md): the node that measured the round (an index into
  // the trace's node list) and when it ended. Version 3 traces only.
  std::optional<std::uint32_t> node;
  std::optional<double> ended_unix_s;
};

// Creates a trace file and appends rounds to it. Not thread-safe: one writer per file.
class TraceWriter {
 public:
  // Creates `path` (it must not exist) holding the experiment, instances and outcomes.
  // `instances` and the vectors of `outcomes` have one entry per instance, in the same order.
  // With `sync_each_round` false, rounds are not forced to disk one by one (fast bulk import
  // into a temporary file that is renamed into place once close() has synced it): they are
  // collected into blocks of many rounds, and stored at the latest by close().
  static TraceWriter create(const std::filesystem::path& path, const Experiment& experiment,
                            std::span<const Instance> instances, const Outcomes& outcomes,
                            bool sync_each_round = true);
  // Reopens an existing trace to append more rounds (resuming an interrupted experiment).
  static TraceWriter open_existing(const std::filesystem::path& path);

  TraceWriter(TraceWriter&&) noexcept;
  TraceWriter& operator=(TraceWriter&&) noexcept;
  ~TraceWriter();

  // Stores one round: per-batch times in seconds, batch_count() entries each. One transaction:
  // after it returns the round survives a crash; if it throws, nothing of the round is stored.
  // `extras` that are not empty are stored in the same transaction. Rounds come in ascending
  // index order (StoreError otherwise).
  void append_round(const RoundInfo& round, std::span<const double> inference_s,
                    std::span<const double> total_s, const RoundExtras& extras = {});
  std::size_t batch_count() const;
  // Checkpoints the write-ahead log into the main file and closes it.
  void close();

 private:
  friend struct store::WriterAccess;
  struct Impl;
  explicit TraceWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a trace. Loads the small tables (experiment, instances, outcomes, round list) at open;
// round times are read on demand, a block of consecutive rounds (up to about 32K values) at a
// time, so memory stays small whatever the number of rounds.
class TraceReader {
 public:
  explicit TraceReader(const std::filesystem::path& path);  // throws StoreError
  TraceReader(TraceReader&&) noexcept;
  ~TraceReader();

  const std::filesystem::path& path() const;
  const Experiment& experiment() const;
  const std::vector<Instance>& instances() const;
  std::span<const std::uint32_t> batch_of_instance() const;
  std::size_t batch_count() const;
  const Outcomes& outcomes() const;
  const std::vector<RoundInfo>& rounds() const;  // ascending index, warm-up rounds included
  // Rounds an MPI job measured carry their node and end time (docs/multi-node.md): one entry per
  // round of rounds(), node 0 and NaN for rounds without; empty when no round has one.
  std::span<const std::uint32_t> round_nodes() const;
  std::span<const double> round_ends() const;

  // Reads the per-batch times of round `round_index` into `out` (batch_count() entries).
  // Uses this reader's connection: not for concurrent use; open a TimesCursor per thread.
  void read_times(std::int64_t round_index, TimeKind kind, std::span<double> out) const;
  // Reads a load-scenario round's query timeline (instances().size() entries); false when the
  // round has none.
  bool read_timings(std::int64_t round_index, std::span<QueryTiming> out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An independent read-only connection that reads round times; one per worker thread.
class TimesCursor {
 public:
  TimesCursor(const std::filesystem::path& path, TimeKind kind);
  TimesCursor(TimesCursor&&) noexcept;
  ~TimesCursor();
  void read(std::int64_t round_index, std::span<double> out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Makes a whole new trace appear at `path` or nothing at all: `fill` writes (and closes) a
// trace at the temporary path it is given, next to `path`; the file is renamed into place when
// fill returns and removed, with its WAL files, when fill throws. Refuses an existing `path`
// unless `overwrite`.
void write_trace_atomically(const std::filesystem::path& path, bool overwrite,
                            const std::function<void(const std::filesystem::path&)>& fill);

}  // namespace tailq
