// The round calls of the Recorder (contract in include/tailq/recorder.hpp): they read the
// monotonic clock and write preallocated arrays; only end_round touches the trace.
#include <chrono>
#include <cmath>
#include <optional>

#include "collect/recorder_state.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

using Clock = std::chrono::steady_clock;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}
std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ull;
  return hash;
}

}  // namespace

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::Recorder(Recorder&&) noexcept = default;
Recorder& Recorder::operator=(Recorder&&) noexcept = default;
Recorder::~Recorder() {
  try {
    if (impl_) close();
  } catch (...) {  // a destructor must not throw; the committed rounds are safe anyway
  }
}

void Recorder::begin_round() {
  Impl& d = *impl_;
  d.usable();
  if (d.round_open) throw UsageError("a round is already open (rounds do not nest)");
  d.round_open = true;
  ++d.serial;
  d.covered = d.outputs = 0;
  d.started_unix_s = unix_now();
}

void Recorder::begin_batch(std::span<const std::uint32_t> instances) {
  Impl& d = *impl_;
  d.need_round("a batch");
  if (d.batch_open) throw UsageError("a batch is already open (batches do not nest)");
  d.claim(instances);
  d.batch_ids.assign(instances.begin(), instances.end());
  d.batch_open = true;
  d.pre_marked = d.infer_marked = d.post_marked = false;
  d.begun = Clock::now();
}

void Recorder::mark_pre() {
  const auto now = Clock::now();
  Impl& d = *impl_;
  d.need_batch("pre()");
  if (d.pre_marked || d.infer_marked) {
    throw UsageError("pre() marks the end of pre-processing: once per batch, before infer()");
  }
  d.pre_end = now;
  d.pre_marked = true;
}

void Recorder::mark_infer() {
  const auto now = Clock::now();
  Impl& d = *impl_;
  d.need_batch("infer()");
  if (d.infer_marked) throw UsageError("infer() marks the end of inference: once per batch");
  if (!d.pre_marked) d.pre_end = d.begun;
  d.infer_end = now;
  d.infer_marked = true;
}

void Recorder::mark_post() {
  const auto now = Clock::now();
  Impl& d = *impl_;
  d.need_batch("post()");
  if (!d.infer_marked || d.post_marked) {
    throw UsageError("post() marks the end of post-processing: once per batch, after infer()");
  }
  d.post_end = now;
  d.post_marked = true;
}

void Recorder::end_batch() {
  const auto now = Clock::now();
  Impl& d = *impl_;
  d.need_batch("end of a batch");
  if (!d.infer_marked) {
    abort_batch();
    throw UsageError("a batch ended without infer(): nothing says where inference ended");
  }
  d.store(d.batch_ids, seconds(d.pre_end, d.infer_end),
          seconds(d.begun, d.post_marked ? d.post_end : now));
  d.batch_open = false;
}

void Recorder::abort_batch() {
  Impl& d = *impl_;
  if (!d.batch_open) return;
  for (std::uint32_t i : d.batch_ids) d.seen[i] = 0;
  d.batch_open = false;
}

void Recorder::add_batch(std::span<const std::uint32_t> instances, double inference_s,
                         double total_s) {
  Impl& d = *impl_;
  d.need_round("add_batch()");
  if (d.batch_open) throw UsageError("add_batch() inside an open batch");
  if (!std::isfinite(inference_s) || !std::isfinite(total_s) || inference_s < 0 ||
      total_s < inference_s) {
    throw InputError(d.round_name() + ": times inference " + std::to_string(inference_s) +
                     " s, total " + std::to_string(total_s) +
                     " s: need finite 0 <= inference <= total");
  }
  d.claim(instances);
  d.store(instances, inference_s, total_s);
}

void Recorder::record_predictions(std::span<const std::uint32_t> instances,
                                  std::span<const std::string> labels_best_first) {
  Impl& d = *impl_;
  d.need_round("outputs");
  if (d.kind != Outcomes::Kind::classification) {
    throw UsageError("this trace keeps scores, not predictions");
  }
  d.claim_outputs(instances, labels_best_first.size());
  for (std::size_t k = 0; k < instances.size(); ++k) {
    d.predictions[instances[k]].assign(labels_best_first[k]);
  }
}

void Recorder::record_scores(std::span<const std::uint32_t> instances,
                             std::span<const double> scores) {
  Impl& d = *impl_;
  d.need_round("outputs");
  if (d.kind != Outcomes::Kind::score) throw UsageError("this trace keeps predictions, not scores");
  for (std::size_t k = 0; k < scores.size(); ++k) {
    if (!(scores[k] >= 0 && scores[k] <= 1)) {
      throw InputError(d.round_name() + ": score " + std::to_string(scores[k]) + " (position " +
                       std::to_string(k) + ") is not in [0, 1]");
    }
  }
  d.claim_outputs(instances, scores.size());
  for (std::size_t k = 0; k < instances.size(); ++k) d.scores[instances[k]] = scores[k];
}

void Recorder::end_round() {
  Impl& d = *impl_;
  d.need_round("end of a round");
  // Whatever happens below, this round is over: committed or dropped.
  struct Closer {
    Impl& d;
    ~Closer() { d.drop_round(); }
  } closer{d};
  if (d.batch_open) throw UsageError(d.round_name() + " ended inside an open batch");
  if (d.covered != d.n()) {
    std::size_t missing = 0;
    while (d.seen[missing] == d.serial) ++missing;
    throw InputError(d.round_name() + ": " + std::to_string(d.n() - d.covered) + " of " +
                     std::to_string(d.n()) + " instances were not timed (the first: " +
                     std::to_string(missing) + " '" + d.names[missing] + "'); round dropped");
  }
  if (d.outputs != 0 && d.outputs != d.n()) {
    throw InputError(d.round_name() + ": outputs given for " + std::to_string(d.outputs) + " of " +
                     std::to_string(d.n()) + " instances; round dropped");
  }
  const bool warmup = d.recorded_here < d.warmup_rounds;
  RoundInfo info{d.next_index, warmup, d.started_unix_s, std::nullopt};
  const bool keep_outputs = d.outputs != 0 && !warmup && !d.have_outputs;
  const bool classification = d.kind == Outcomes::Kind::classification;
  if (d.outputs != 0) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < d.n(); ++i) {
      if (classification) {
        hash = fnv1a(hash, d.predictions[i].data(), d.predictions[i].size() + 1);  // with the NUL
      } else {
        hash = fnv1a(hash, &d.scores[i], sizeof(double));
      }
    }
    info.output_hash = hash;
  }
  RoundExtras extras;
  if (keep_outputs && classification) extras.predictions = d.predictions;
  if (keep_outputs && !classification) extras.scores = d.scores;
  d.writer->append_round(info, d.inference, d.total, extras);
  ++d.next_index;
  ++d.recorded_here;
  if (!warmup) {
    ++d.measured;
    d.have_outputs = d.have_outputs || keep_outputs;
    d.inference_monitor.add_round(d.inference);
    d.total_monitor.add_round(d.total);
  }
}

void Recorder::abort_round() {
  if (impl_->round_open) abort_batch();
  impl_->drop_round();
}

void Recorder::close() {
  Impl& d = *impl_;
  d.drop_round();
  if (d.writer) {
    std::optional<TraceWriter> writer = std::move(d.writer);
    d.writer.reset();
    writer->close();
  }
}

bool Recorder::closed() const { return !impl_->writer; }
bool Recorder::in_round() const { return impl_->round_open; }
bool Recorder::in_batch() const { return impl_->batch_open; }
bool Recorder::round_is_warmup() const { return impl_->recorded_here < impl_->warmup_rounds; }
std::int64_t Recorder::round_index() const { return impl_->next_index; }
std::size_t Recorder::measured_rounds() const { return impl_->measured; }
std::size_t Recorder::rounds_recorded() const { return impl_->recorded_here; }
bool Recorder::converged() const {
  return impl_->inference_monitor.converged() && impl_->total_monitor.converged();
}
const RjsdMonitor& Recorder::inference_monitor() const { return impl_->inference_monitor; }
const RjsdMonitor& Recorder::total_monitor() const { return impl_->total_monitor; }
std::size_t Recorder::instance_count() const { return impl_->n(); }
bool Recorder::fixed_batches() const { return !impl_->batch_of.empty(); }
Outcomes::Kind Recorder::outcome_kind() const { return impl_->kind; }
const std::filesystem::path& Recorder::path() const { return impl_->path; }
const std::vector<std::string>& Recorder::warnings() const { return impl_->warnings; }

}  // namespace tailq
