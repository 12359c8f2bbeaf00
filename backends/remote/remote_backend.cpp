#include "remote/remote_backend.hpp"

#include <algorithm>
#include <numeric>

#include "remote/v2_connection.hpp"
#include "remote/v2_protocol.hpp"
#include "tailq/error.hpp"
#include "tailq/run_options.hpp"

namespace tailq::remote {
namespace {

std::size_t product(std::span<const std::int64_t> dims) {
  return std::accumulate(
      dims.begin(), dims.end(), std::size_t{1},
      [](std::size_t a, std::int64_t d) { return a * static_cast<std::size_t>(d); });
}

class RemoteBackend final : public Backend {
 public:
  RemoteBackend(const RunSettings& settings, unsigned replica)
      : server_(settings.server),
        name_(settings.model_name),
        timeout_s_(settings.request_timeout_s),
        connection_(connect(settings, replica)),
        id_("tailq-" + std::to_string(replica)) {
    read_metadata();
    probe();
  }

  std::string description() const override {
    // The trace's model already names the server and the model.
    return "KServe v2 over " + connection_->protocol() +
           (metadata_.platform.empty() ? std::string() : " to " + metadata_.platform) +
           "; inference time: " +
           (reports_time_ ? "the server's" : "absent, the round trip recorded instead");
  }

  void infer(const Batch& batch, BatchOutput& out) override {
    out.failure_time_s = timeout_s_;
    send_shape(batch);
    const std::size_t values = product(shape_);
    InferResult got;
    out.failure = connection_->infer(
        {id_, &input_, shape_, std::span<const float>(batch.input).first(values), output_.name},
        batch.size, std::span<float>(out.scores), got);
    if (!out.failure.empty()) return;
    if (out.width != 0 && got.width != out.width) {
      out.failure = server_ + ": the output has " + std::to_string(got.width) +
                    " values per input, the first answer had " + std::to_string(out.width);
      return;
    }
    out.width = got.width;
    out.reported_inference_s = got.inference_s;
  }

 private:
  // The model's metadata: one input to send (FP32 or another numeric type) and the first
  // output to read.
  void read_metadata() {
    const std::string where = server_ + ": model " + name_;
    metadata_ = connection_->metadata(name_);
    if (metadata_.inputs.size() != 1) {
      throw InputError(where + " takes " + std::to_string(metadata_.inputs.size()) +
                       " input tensors; tailq sends one");
    }
    if (metadata_.outputs.empty()) throw InputError(where + " gives no output tensor");
    input_ = metadata_.inputs.front();
    output_ = metadata_.outputs.front();
    for (const TensorSpec* t : {&input_, &output_}) {
      if (!numeric_datatype(t->datatype)) {
        throw InputError(where + ": tensor " + t->name + " is " + t->datatype +
                         ", not a numeric type");
      }
    }
  }

  // One request of zeros when the input's shape is known but for the batch: fails early, in
  // one line, when the server cannot answer at all, and tells whether it reports its time.
  void probe() {
    if (input_.shape.empty()) return;
    for (std::size_t k = 1; k < input_.shape.size(); ++k) {
      if (input_.shape[k] < 0) return;
    }
    Batch batch;
    batch.shape = input_.shape;
    batch.shape[0] = 1;
    batch.size = 1;
    batch.input.assign(product(batch.shape), 0.0f);
    BatchOutput out;
    out.scores.resize(std::size_t{1} << 20);
    infer(batch, out);
    if (!out.failure.empty()) throw InputError("model " + name_ + ": " + out.failure);
    reports_time_ = out.reported_inference_s.has_value();
  }

  // The shape to send a batch as: its own when the server's input takes it, else the server's
  // with this batch's size, when an instance has as many values either way (e.g. 8x8 images to
  // a model taking 64 values).
  void send_shape(const Batch& batch) {
    const std::span<const std::int64_t> shape(batch.shape);
    if (shape_matches(shape, input_.shape)) {
      shape_.assign(shape.begin(), shape.end());
      return;
    }
    const std::span<const std::int64_t> theirs(input_.shape);
    const bool fixed =
        !theirs.empty() &&
        std::none_of(theirs.begin() + 1, theirs.end(), [](std::int64_t d) { return d < 0; }) &&
        (theirs[0] < 0 || theirs[0] == static_cast<std::int64_t>(batch.size));
    if (!fixed || shape.empty() || product(theirs.subspan(1)) != product(shape.subspan(1))) {
      throw InputError(server_ + ": model " + name_ + "'s input " + input_.name + " takes shape " +
                       shape_text(theirs) + ", the data's batches are " + shape_text(shape));
    }
    shape_.assign(theirs.begin(), theirs.end());
    shape_[0] = static_cast<std::int64_t>(batch.size);
  }

  std::string server_, name_;
  double timeout_s_;
  std::unique_ptr<Connection> connection_;
  std::string id_;
  ModelMetadata metadata_;
  TensorSpec input_, output_;
  bool reports_time_ = false;
  std::vector<std::int64_t> shape_;
};

}  // namespace

std::unique_ptr<Backend> make_remote_backend(const RunSettings& settings, unsigned replica) {
  if (settings.server.empty()) throw OptionError("server", "no server given");
  return std::make_unique<RemoteBackend>(settings, replica);
}

}  // namespace tailq::remote
