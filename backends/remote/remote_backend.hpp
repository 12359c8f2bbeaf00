// A Backend whose model runs on an inference server speaking the Open Inference Protocol (KServe
// v2) over HTTP or gRPC (v2_connection.hpp): each batch is one inference request on a connection of
// its own (one per worker, so a load scenario has as many requests in flight as workers). A request
// that gets no usable answer (an HTTP error, a dropped connection, no reply within the timeout, a
// malformed reply) is a failed answer (BatchOutput::failure), never an exception.
#pragma once

#include <memory>
#include <string>

#include "tailq/harness.hpp"
#include "tailq/run.hpp"

namespace tailq::remote {

// Connects to settings.server, reads the metadata of settings.model_name and checks that it
// takes one numeric input and gives a numeric output. Throws InputError naming the server when
// it cannot be reached or its model cannot be used.
std::unique_ptr<Backend> make_remote_backend(const RunSettings& settings, unsigned replica);

}  // namespace tailq::remote
