// `tailq serve`: any of tailq's models behind the Open Inference Protocol (KServe v2) over HTTP
// or gRPC, so that a model measured in process and the same model behind a server can be
// compared (docs/serving.md). The server lives in the remote plug-in; this is its entry point.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tailq/run.hpp"
#include "tailq/trace.hpp"

namespace tailq {

struct ServeSettings {
  // The model and how it runs: workload digits (its CNN, or `run.model`) or model (`run.model`,
  // a .pt or .onnx file), with `run.threads` intra-op threads.
  RunSettings run;
  std::string model_name;         // the name clients ask for; empty: the workload's name
  std::string protocol = "http";  // http (REST, JSON) or grpc
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: a free port, told to `listening`
  // Shape of one input instance, e.g. {1, 8, 8}; required for a model file, whose inputs the
  // server cannot know otherwise (digits knows its own).
  std::vector<std::int64_t> instance_shape;
  unsigned replicas = 1;  // model instances serving requests concurrently
  // Called once the server accepts connections, with the port it listens on.
  std::function<void(int port)> listening;
};

// A trace measured through a server (tailq run --server): how many answers of its measured
// rounds came at or past the request timeout. A failed request (an error, a dropped
// connection, no reply in time) is recorded as that late, so these are the failures and any
// answer as late as one.
struct LateAnswers {
  std::size_t late = 0, answers = 0;
  double timeout_s = 0;
};
// nullopt: the trace was not measured through a server.
std::optional<LateAnswers> answers_past_timeout(const TraceReader& trace);

// Serves until request_stop() (tailq/run.hpp) is called, e.g. from a signal handler. Throws
// InputError for bad settings, a model that cannot be loaded or a port that cannot be bound.
void serve(const ServeSettings& settings);

}  // namespace tailq
