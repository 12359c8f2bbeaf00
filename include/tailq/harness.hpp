// Collection: the measurement harness and its two small interfaces, in the spirit of MLPerf
// LoadGen's SystemUnderTest and QuerySampleLibrary. The harness owns the clock; a Dataset
// fetches and pre-processes batches, a Backend runs the model.
//
// Contracts for implementers: a Dataset and its Backend are used by one thread at a time: the
// harness's thread in the single-stream scenario; in the load scenarios each worker thread owns
// a replica of its own (tailq/plugin.hpp, make_workload(settings, replica)), and no object is
// called from two threads at once. Replicas may run concurrently, so state they share (a
// framework's global thread pool, a cache) must be safe to use from several threads. Methods
// marked "timed" run inside a timed region and must not do I/O or allocate in tailq's buffers
// (a framework's own allocations inside Backend::infer are part of what inference costs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tailq {

// An 8-bit grayscale image held in memory by a Dataset: row-major, `stride` bytes per row.
struct GrayImage {
  const std::uint8_t* pixels = nullptr;
  int width = 0, height = 0, stride = 0;
};

// Pre-processed inputs of one batch. The harness allocates `input` once for the largest batch;
// a Dataset fills the front of it and sets `size` and `shape` (shape[0] == size).
struct Batch {
  std::vector<float> input;
  std::vector<std::int64_t> shape;
  std::size_t size = 0;
  // Inputs that are images rather than a tensor (OCR lines): one entry per instance of the
  // largest batch, allocated by the harness; prepare() points the first `size` at the Dataset's
  // images (no copy) and may leave `input` alone.
  std::vector<GrayImage> images;
};

// Raw outputs of one batch: `size` rows of `width` scores (e.g. class logits), preallocated by
// the harness for the largest batch.
struct BatchOutput {
  std::vector<float> scores;
  std::size_t width = 0;
  // Answers as text, one per instance, when the Dataset has no classes: a line read (OCR) or an
  // image's detections as JSON (Answers::detections). The harness sizes it for the largest batch
  // with room for a long answer in each, so assigning or appending one does not allocate.
  std::vector<std::string> texts;
  // A backend whose model runs elsewhere (a remote server) may get no answer: an error, a
  // dropped connection, no reply in time. It then sets `failure` (why, one line) and
  // `failure_time_s`: the batch counts as answered that long after infer() began, or later if
  // infer() took longer, so that a failure is late at every deadline below it (a client's
  // timeout). The harness clears `failure` before each call.
  std::string failure;
  double failure_time_s = 0;
  // The model's own time for the batch when the backend knows it better than the clock around
  // infer() does (a server's report of its inference time); the harness clears it before each
  // call and records it as the batch's inference time when set.
  std::optional<double> reported_inference_s;
};

// What a Dataset's answers are, and so how the trace scores them (docs/trace-format.md).
enum class Answers {
  classes,  // rows of scores over classes(); label() is a class name
  text,     // BatchOutput::texts, scored by edit distance against label()
  // BatchOutput::texts, each an image's detections [[category_id, x, y, w, h, score], ...];
  // label() its ground truth [[category_id, x, y, w, h, area, iscrowd], ...]; scored by COCO AP
  // (docs/detection.md, "In a trace"). classes() must be empty.
  detections,
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::string name() const = 0;
  virtual std::size_t size() const = 0;                       // instances
  virtual std::string label(std::size_t instance) const = 0;  // ground truth, a class name
  virtual std::optional<double> input_size(std::size_t) const { return std::nullopt; }
  // Shape of one pre-processed instance, e.g. {1, 8, 8}.
  virtual std::vector<std::int64_t> instance_shape() const = 0;
  // Class names by output index: turns a row of scores into labels. Empty: the answers are
  // text (BatchOutput::texts), scored by edit distance against label() (Outcomes::Kind::text),
  // unless answers() says they are detections.
  virtual const std::vector<std::string>& classes() const = 0;
  virtual Answers answers() const { return classes().empty() ? Answers::text : Answers::classes; }
  // Timed (pre-processing): fetches and pre-processes `instances` into `batch`.
  virtual void prepare(std::span<const std::uint32_t> instances, Batch& batch) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // What runs the model, for the trace: framework, version, device, threads.
  virtual std::string description() const = 0;
  // Timed (inference): runs the model on `batch` and writes batch.size x out.width scores, or
  // batch.size texts (lines read, or detections as JSON) for a dataset without classes.
  virtual void infer(const Batch& batch, BatchOutput& out) = 0;
  // Timed (inference): blocks until work queued on an asynchronous device has finished, so
  // that a timing ends when the work does. CPU backends need not override it.
  virtual void synchronize() {}
};

}  // namespace tailq
