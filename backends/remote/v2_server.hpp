// The server side of the Open Inference Protocol (KServe v2): one model of tailq's behind
// health, metadata, inference and statistics endpoints over HTTP/REST, or behind the same
// calls over gRPC (settings.protocol; docs/serving.md).
#pragma once

#include <atomic>

#include "tailq/serve.hpp"

namespace tailq::remote {

// Serves settings' model until `stop` is set (checked every few milliseconds).
void serve_v2(const ServeSettings& settings, const std::atomic<bool>& stop);

}  // namespace tailq::remote
