// `tailq run`: measure a workload round after round until its time distribution has converged,
// keeping every completed round safe in the trace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/convergence.hpp"
#include "tailq/harness.hpp"
#include "tailq/precision.hpp"
#include "tailq/trace.hpp"

namespace tailq {

// How queries reach the system, with MLPerf LoadGen's meanings.
enum class Scenario {
  single_stream,  // the next query when the previous one is answered (the paper's set-up)
  multi_stream,   // a query of K instances every fixed interval; it is late when its slowest is
  server,         // Poisson arrivals at a given rate, served by concurrent workers
  offline,        // every instance of a round issued at once: throughput
};
std::string_view to_string(Scenario scenario);
Scenario parse_scenario(std::string_view text);  // throws InputError

// Settings of the load scenarios (all but single-stream). Latency always runs from a query's
// scheduled arrival, never from when a worker picked it up.
struct LoadSettings {
  Scenario scenario = Scenario::single_stream;
  std::vector<double> qps;     // server: offered loads; one series of rounds each, in order
  unsigned workers = 1;        // concurrent workers, each with its own model instance
  std::size_t max_batch = 1;   // dynamic batching: at most this many queued instances ...
  double batch_timeout_s = 0;  // ... waiting at most this long after the first for more
  std::size_t queries_per_interval = 1;  // multi-stream: instances in each query (K)
  double interval_s = 0.01;              // multi-stream: one query every interval
  std::uint64_t arrival_seed = 1;        // server: the seeded Poisson schedule
  // Idle workers spin on the queue instead of sleeping on it: no wake-up of a parked thread
  // between a query's issue and its start (tens of microseconds), at the price of a core each.
  bool busy_poll = false;
};

// When a series of rounds has measured enough.
enum class StopRule {
  precision,  // every deadline's mean and bad-round Q@T known to within epsilon (precision.hpp)
  rjsd,       // the time distribution no longer moves: rJSD <= tau (convergence.hpp)
};
std::string_view to_string(StopRule rule);
StopRule parse_stop_rule(std::string_view text);  // throws InputError

// The precision rule's deadlines and goal. It is checked at the looks of tailq/precision.hpp on
// the rounds of the current load, which are read back from the trace.
struct PrecisionStop {
  PrecisionGoal goal;
  std::string thresholds{kDefaultPrecisionThresholds};  // deadlines, as tailq analyze takes them
  TimeKind time = TimeKind::total;
};

struct RunSettings {
  std::string workload = "digits";  // digits, model, ocr, textdet (Tesseract) or sleep
  std::filesystem::path output;     // empty: out/<workload>-<date>-<time>.trace
  std::size_t batch_size = 1;
  unsigned threads = 1;       // the backend's intra-op threads
  std::vector<int> pin_cpus;  // CPUs to run on; empty: as the OS decides
  std::size_t warmup_rounds = 2;
  std::size_t max_rounds = 5000;  // measured rounds per load (resumed runs included)
  double max_duration_s = 0;      // this process's measuring time; 0: no limit
  StopRule stop = StopRule::precision;
  PrecisionStop precision;                    // --stop precision
  ConvergenceSettings convergence;            // --stop rjsd: tau 0.02, fit every 2, window 5
  std::optional<std::uint64_t> shuffle_seed;  // a new instance order every round
  LoadSettings load;
  // A plug-in (tailq/plugin.hpp) with the workload `workload`, or a runner for --model files
  std::filesystem::path plugin;
  // digits, model, ocr, textdet
  std::filesystem::path model;  // the model file; empty: the workload's default
  std::filesystem::path data;   // digits: digits.csv.gz; empty: Debian's python3-sklearn copy
  // model: the user's inputs (.npy), labels (.npy or one per line), class names and sizes
  std::filesystem::path inputs, labels, classes, input_sizes;
  // digits, model: the model runs on an inference server speaking the Open Inference Protocol
  // (KServe v2) at `server` (http://HOST:PORT over REST, grpc://HOST:PORT over gRPC), as
  // `model_name` (docs/serving.md); a request
  // with no answer within `request_timeout_s` fails, and a failed answer counts as that late.
  std::string server, model_name;
  double request_timeout_s = 5;
  // sleep
  std::size_t sleep_instances = 1000;
  std::string sleep_distribution =
      "lognormal:1ms:0.1";  // const:T | exp:MEAN | lognormal:MEDIAN:SIGMA
  std::uint64_t sleep_seed = 1;
  std::filesystem::path sleep_model;  // CSV law,correct per instance (overrides the two above)
  std::string sleep_round_effect;     // "ar1:SD:PHI": a round-speed process; empty: none
  // ocr and textdet (--model: a Tesseract .traineddata file; empty: Debian's eng)
  std::size_t ocr_lines = 200;        // ocr: generated text lines
  std::size_t textdet_pages = 30;     // textdet: generated pages
  std::uint64_t ocr_seed = 1;         // seed of the generated lines or pages
  std::string ocr_degrade = "light";  // none | light | heavy
};

// A dataset and a backend, and what identifies the model for --resume.
struct Workload {
  std::unique_ptr<Dataset> dataset;
  std::unique_ptr<Backend> backend;
  std::string model;                    // name or path
  std::uint64_t model_fingerprint = 0;  // hash of the model file (0: none)
};
// `replica` > 0 makes another, independent instance for a concurrent worker (its own model
// instance, and for random backends its own random stream).
Workload make_workload(const RunSettings& settings, unsigned replica = 0);  // throws InputError
// FNV-1a 64 of a file's bytes: tells on --resume whether a model file changed.
std::uint64_t file_fingerprint(const std::filesystem::path& path);

struct RunProgress {
  const RunSettings* settings = nullptr;  // what the run measures and when it stops
  std::size_t round = 0;              // measured rounds so far at this load (resumed ones included)
  std::optional<double> offered_qps;  // load scenarios
  bool warmup = false;
  double elapsed_s = 0;  // this process
  double rounds_per_s = 0;
  std::optional<double> rjsd_inference, rjsd_total;  // latest evaluated (--stop rjsd)
  // Latest look of the precision rule: the widest half-widths over its deadlines.
  std::optional<double> mean_half_width, bad_round_half_width;
};

// The load generator's own accuracy: how late it issued queries (issue minus scheduled time).
struct SchedulerJitter {
  std::size_t queries = 0;
  double p50_s = 0, p99_s = 0, max_s = 0;
};

struct RunResult {
  std::filesystem::path trace;
  std::size_t measured_rounds = 0;  // in the trace (earlier processes too), all loads
  std::size_t inferences = 0;       // instances run by this process (an MPI job: by every rank),
                                    // warm-up included
  double elapsed_s = 0;             // this process's time in the round loop
  std::optional<SchedulerJitter> jitter;  // load scenarios
  bool converged = false;                 // every load met the stop rule
  enum class Stop { converged, max_rounds, max_duration, interrupted } stop = Stop::max_rounds;
  std::vector<std::string> warnings;  // noisy set-up
  // Instances of this process's rounds (warm-up included) that got no answer (a remote
  // server's error, a dropped connection, a timeout), and why the last one failed.
  std::size_t failed_answers = 0;
  std::string last_failure;
  // --stop precision: the intervals at the last look of the last load measured.
  std::optional<PrecisionEstimate> precision;
  RunSettings settings;  // as the run used them (for a resumed run, the trace's with the given)
  // An MPI job (tailq/ranks.hpp): how many ranks measured and which one this is (only rank 0's
  // result says more), the rounds rank 0 stored, and its time over the whole run spent
  // receiving the other ranks' rounds (moving their bytes, not waiting for them) and storing
  // every round.
  int ranks = 1, rank = 0;
  std::size_t rounds_stored = 0;
  double receive_s = 0, store_s = 0;
};

// Starts a new experiment. `progress` is called after every round (from the calling thread).
RunResult run_experiment(const RunSettings& settings,
                         const std::function<void(const RunProgress&)>& progress = {});
// Runs the harness on the caller's own workload: `make(replica)` makes the Dataset and Backend
// of one worker (replica 0 describes the experiment; the load scenarios ask for one per worker).
// settings.workload names it in the trace. Throws InputError for bad settings.
using WorkloadFactory = std::function<Workload(unsigned replica)>;
RunResult run_experiment(const RunSettings& settings, const WorkloadFactory& make,
                         const std::function<void(const RunProgress&)>& progress = {});
// Continuing an interrupted experiment is in tailq/run_options.hpp (resume_experiment): the
// options stored in the trace say what was measured.

// Asks a running experiment to stop after its last completed round (async-signal-safe).
void request_stop();

}  // namespace tailq
