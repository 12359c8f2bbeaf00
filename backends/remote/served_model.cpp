#include "remote/served_model.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>

#include "tailq/error.hpp"
#include "tailq/plugin.hpp"
#include "tailq/run_options.hpp"

namespace tailq::remote {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Rows one request may carry: bounds the memory a request can make the server allocate.
constexpr std::int64_t kMaxRows = 4096;

std::size_t product(std::span<const std::int64_t> dims) {
  return std::accumulate(
      dims.begin(), dims.end(), std::size_t{1},
      [](std::size_t a, std::int64_t d) { return a * static_cast<std::size_t>(d); });
}

// The model instances, each serving one request at a time (a Backend need not be thread-safe).
class Replicas {
 public:
  explicit Replicas(std::vector<std::unique_ptr<Backend>> backends)
      : backends_(std::move(backends)) {
    for (auto& b : backends_) idle_.push_back(b.get());
  }
  Backend& front() { return *backends_.front(); }

  template <class F>
  void with_one(F&& use) {
    Backend* b = nullptr;
    {
      std::unique_lock lock(mutex_);
      freed_.wait(lock, [&] { return !idle_.empty(); });
      b = idle_.back();
      idle_.pop_back();
    }
    try {
      use(*b);
    } catch (...) {
      give_back(b);
      throw;
    }
    give_back(b);
  }

 private:
  void give_back(Backend* b) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(b);
    }
    freed_.notify_one();
  }

  std::vector<std::unique_ptr<Backend>> backends_;
  std::vector<Backend*> idle_;
  std::mutex mutex_;
  std::condition_variable freed_;
};

// Counters in the shape of the protocol's statistics extension (as Triton reports them).
struct Stats {
  std::atomic<std::uint64_t> success_count{0}, success_ns{0}, fail_count{0}, fail_ns{0};
  std::atomic<std::uint64_t> infer_count{0}, infer_ns{0}, queue_ns{0}, instances{0};
  std::atomic<std::uint64_t> last_inference_ms{0};

  json to_json(const std::string& name) const {
    auto pair = [](std::uint64_t count, std::uint64_t ns) {
      return json{{"count", count}, {"ns", ns}};
    };
    const std::uint64_t runs = infer_count.load();
    json model{{"name", name},
               {"version", "1"},
               {"last_inference", last_inference_ms.load()},
               {"inference_count", instances.load()},
               {"execution_count", runs},
               {"inference_stats",
                {{"success", pair(success_count, success_ns)},
                 {"fail", pair(fail_count, fail_ns)},
                 {"queue", pair(runs, queue_ns)},
                 {"compute_infer", pair(runs, infer_ns)}}}};
    return json{{"model_stats", json::array({model})}};
  }
};

std::uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// The backends and the instance shape of settings' model.
struct Served {
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<std::int64_t> instance_shape;
  std::string name;
};

Served load_model(const ServeSettings& settings) {
  const RunSettings& run = settings.run;
  Served served;
  const unsigned replicas = std::max(1u, settings.replicas);
  if (run.workload == "digits") {
    for (unsigned r = 0; r < replicas; ++r) {
      Workload w = make_workload(run, r);
      if (r == 0) served.instance_shape = w.dataset->instance_shape();
      served.backends.push_back(std::move(w.backend));
    }
    served.name = "digits";
  } else if (run.workload == "model") {
    if (run.model.empty()) throw OptionError("model", "a model file to serve is needed");
    if (settings.instance_shape.empty()) {
      throw OptionError("input_shape", "the shape of one input is needed for a model file");
    }
    std::string runner = builtin_runner_for(run.model);
    const PluginTable* table = runner.empty() ? nullptr : &builtin_plugin(runner);
    if (!run.plugin.empty()) table = &load_plugin(run.plugin);
    if (!table || !table->make_backend) {
      throw InputError(run.model.string() + ": no runner for this kind of model file");
    }
    for (unsigned r = 0; r < replicas; ++r) {
      served.backends.push_back(table->make_backend({run.model, run.threads, r}));
    }
    served.instance_shape = settings.instance_shape;
    served.name = run.model.stem().string();
  } else {
    throw OptionError("workload", "serves digits or a model file, not '" + run.workload + "'");
  }
  if (!settings.model_name.empty()) served.name = settings.model_name;
  return served;
}

// The width of the model's output, from one inference on zeros (a model that cannot take its
// inputs fails here, before the server listens).
std::size_t output_width(Backend& backend, const std::vector<std::int64_t>& instance_shape) {
  Batch batch;
  batch.shape = {1};
  batch.shape.insert(batch.shape.end(), instance_shape.begin(), instance_shape.end());
  batch.size = 1;
  batch.input.assign(product(batch.shape), 0.0f);
  BatchOutput out;
  out.scores.resize(std::size_t{1} << 22);
  backend.infer(batch, out);
  backend.synchronize();
  if (out.width == 0) throw InputError("the model gives no scores for an input of zeros");
  return out.width;
}

}  // namespace

struct ServedModel::State {
  explicit State(std::vector<std::unique_ptr<Backend>> backends) : replicas(std::move(backends)) {}
  Replicas replicas;
  Stats stats;
};

ServedModel::ServedModel(const ServeSettings& settings) {
  Served served = load_model(settings);
  instance_shape_ = std::move(served.instance_shape);
  state_ = std::make_unique<State>(std::move(served.backends));
  width_ = output_width(state_->replicas.front(), instance_shape_);
  metadata_.name = std::move(served.name);
  metadata_.versions = {"1"};
  metadata_.platform = "tailq " + state_->replicas.front().description();
  std::vector<std::int64_t> in{-1}, out{-1, static_cast<std::int64_t>(width_)};
  in.insert(in.end(), instance_shape_.begin(), instance_shape_.end());
  metadata_.inputs = {{"input", "FP32", in}};
  metadata_.outputs = {{"output", "FP32", out}};
}

ServedModel::~ServedModel() = default;

void ServedModel::count_refused(Clock::time_point arrived) {
  state_->stats.fail_count += 1;
  state_->stats.fail_ns += ns_between(arrived, Clock::now());
}

std::string ServedModel::statistics_json() const {
  return state_->stats.to_json(metadata_.name).dump();
}

// The request's input as a batch of this model's instances, or a message saying why not.
std::string ServedModel::batch_of(InferRequest& request, Batch& batch) const {
  const auto& shape = request.shape;
  const std::size_t per_instance = product(instance_shape_);
  if (shape.empty() || shape[0] < 1 || shape[0] > kMaxRows) {
    return "input shape " + shape_text(shape) + " has no batch of 1 to " +
           std::to_string(kMaxRows) + " rows first";
  }
  if (product(std::span(shape).subspan(1)) != per_instance) {
    std::vector<std::int64_t> expected{-1};
    expected.insert(expected.end(), instance_shape_.begin(), instance_shape_.end());
    return "input shape " + shape_text(shape) + " does not fit the model's " + shape_text(expected);
  }
  batch.size = static_cast<std::size_t>(shape[0]);
  batch.shape = {shape[0]};
  batch.shape.insert(batch.shape.end(), instance_shape_.begin(), instance_shape_.end());
  batch.input = std::move(request.data);
  for (const std::string& name : request.outputs) {
    if (name != metadata_.outputs.front().name) return "the model has no output '" + name + "'";
  }
  return {};
}

ServedModel::Reply ServedModel::infer(InferRequest request) {
  const auto arrived = Clock::now();
  Stats& stats = state_->stats;
  Reply reply;
  auto fail = [&](Reply::Status status, std::string message) {
    stats.fail_count += 1;
    stats.fail_ns += ns_between(arrived, Clock::now());
    reply.status = status;
    reply.error = std::move(message);
    return std::move(reply);
  };
  Batch batch;
  if (std::string problem = batch_of(request, batch); !problem.empty()) {
    return fail(Reply::Status::bad_request, std::move(problem));
  }
  BatchOutput out;
  out.scores.resize(batch.size * width_);
  Clock::time_point began, ended;
  try {
    state_->replicas.with_one([&](Backend& backend) {
      began = Clock::now();
      backend.infer(batch, out);
      backend.synchronize();
      ended = Clock::now();
    });
  } catch (const std::exception& e) {
    return fail(Reply::Status::failed, e.what());
  }
  if (out.width != width_) {
    return fail(Reply::Status::failed, "the model gave an output of another width");
  }
  reply.shape = {static_cast<std::int64_t>(batch.size), static_cast<std::int64_t>(width_)};
  out.scores.resize(batch.size * width_);
  reply.scores = std::move(out.scores);
  reply.inference_s = std::chrono::duration<double>(ended - began).count();
  stats.infer_count += 1;
  stats.infer_ns += ns_between(began, ended);
  stats.queue_ns += ns_between(arrived, began);
  stats.instances += batch.size;
  stats.success_count += 1;
  stats.success_ns += ns_between(arrived, Clock::now());
  stats.last_inference_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  return reply;
}

}  // namespace tailq::remote
