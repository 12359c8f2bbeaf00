// One of tailq's models as `tailq serve` serves it, whatever the transport (HTTP in
// v2_server.cpp, gRPC in grpc_server.cpp): its model instances, its protocol metadata and
// statistics, and an inference request turned into its reply.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/v2_protocol.hpp"
#include "tailq/serve.hpp"

namespace tailq::remote {

class ServedModel {
 public:
  // Loads settings' model (digits, or a model file with its instance shape) in
  // settings.replicas instances and runs one inference on zeros, so that a model that cannot
  // take its inputs fails here, before the server listens. Throws InputError / OptionError.
  explicit ServedModel(const ServeSettings& settings);
  ~ServedModel();
  ServedModel(const ServedModel&) = delete;
  ServedModel& operator=(const ServedModel&) = delete;

  const ModelMetadata& metadata() const { return metadata_; }
  const TensorSpec& output() const { return metadata_.outputs.front(); }

  struct Reply {
    enum class Status { ok, bad_request, failed } status = Status::ok;
    std::string error;  // when not ok
    std::vector<std::int64_t> shape;
    std::vector<float> scores;  // shape's values, row-major
    double inference_s = 0;     // the model's own time for the batch
  };
  // Waits for a free instance; safe to call from many threads.
  Reply infer(InferRequest request);

  // Counts a request refused before it reached the model (it broke the protocol), received at
  // `arrived` (std::chrono::steady_clock).
  void count_refused(std::chrono::steady_clock::time_point arrived);

  // The protocol's statistics extension, in the shape Triton reports it (JSON).
  std::string statistics_json() const;

 private:
  struct State;
  std::string batch_of(InferRequest& request, Batch& batch) const;

  ModelMetadata metadata_;
  std::vector<std::int64_t> instance_shape_;
  std::size_t width_ = 0;
  std::unique_ptr<State> state_;  // the instances and the counters, shared by the threads
};

}  // namespace tailq::remote
