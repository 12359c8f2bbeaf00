// A client's connection to an Open Inference Protocol (KServe v2) server over one transport:
// HTTP/REST (http://HOST:PORT) or gRPC (grpc://HOST:PORT). The remote backend
// (remote_backend.cpp) is the same for both; only the messages' travel differs.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "remote/v2_protocol.hpp"
#include "tailq/run.hpp"

namespace tailq::remote {

class Connection {
 public:
  virtual ~Connection() = default;
  virtual std::string protocol() const = 0;  // "HTTP", "gRPC"
  // The model's metadata. Throws InputError naming the server when there is no usable answer.
  virtual ModelMetadata metadata(const std::string& model) = 0;
  // One inference request, its reply read into `scores` (a batch of `rows`). Returns the empty
  // string, or why the request got no usable answer (an error status, a dropped connection, no
  // reply within the timeout, a malformed reply); never throws for those.
  virtual std::string infer(const InferRequestView& request, std::size_t rows,
                            std::span<float> scores, InferResult& result) = 0;
};

// settings.server's transport by its scheme. Throws InputError for another address.
std::unique_ptr<Connection> connect(const RunSettings& settings, unsigned replica);

std::unique_ptr<Connection> http_connection(const RunSettings& settings);
std::unique_ptr<Connection> grpc_connection(const RunSettings& settings, unsigned replica);

}  // namespace tailq::remote
