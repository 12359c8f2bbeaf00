// The Open Inference Protocol's gRPC service (grpc_predict_v2.proto) in front of a served model.
#pragma once

#include <atomic>

#include "remote/served_model.hpp"
#include "tailq/serve.hpp"

namespace tailq::remote {

// Serves `model` on settings.host:settings.port until `stop` is set (checked every few
// milliseconds). Throws InputError when the port cannot be bound.
void serve_grpc(ServedModel& model, const ServeSettings& settings, const std::atomic<bool>& stop);

}  // namespace tailq::remote
