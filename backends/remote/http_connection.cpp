// The HTTP/REST transport of the Open Inference Protocol, with JSON bodies (v2_protocol.hpp),
// on one kept-alive connection (cpp-httplib).
#include <httplib.h>

#include <cmath>

#include "remote/v2_connection.hpp"
#include "tailq/error.hpp"

namespace tailq::remote {
namespace {

void set_timeouts(httplib::Client& client, double seconds) {
  const auto whole = static_cast<time_t>(seconds);
  const auto micro = static_cast<time_t>(std::lround((seconds - static_cast<double>(whole)) * 1e6));
  client.set_connection_timeout(whole, micro);
  client.set_read_timeout(whole, micro);
  client.set_write_timeout(whole, micro);
}

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(const RunSettings& settings)
      : server_(settings.server),
        client_(settings.server),
        infer_path_("/v2/models/" + settings.model_name + "/infer") {
    if (!client_.is_valid()) throw InputError(server_ + ": not an http://HOST:PORT address");
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);  // a request is one small write: no Nagle delay
    set_timeouts(client_, settings.request_timeout_s);
  }

  std::string protocol() const override { return "HTTP"; }

  ModelMetadata metadata(const std::string& model) override {
    const httplib::Result reply = client_.Get("/v2/models/" + model);
    if (!reply) {
      throw InputError(server_ + ": cannot reach the server: " + httplib::to_string(reply.error()));
    }
    if (reply->status != 200) {
      throw InputError(server_ + ": model " + model + ": HTTP " + std::to_string(reply->status) +
                       " for its metadata: " + error_message(reply->body));
    }
    try {
      return parse_metadata(reply->body);
    } catch (const ProtocolError& e) {
      throw InputError(server_ + ": model " + model + ": " + e.what());
    }
  }

  std::string infer(const InferRequestView& request, std::size_t rows, std::span<float> scores,
                    InferResult& result) override {
    write_infer_request(request, body_);
    const httplib::Result reply =
        client_.Post(infer_path_, body_.data(), body_.size(), "application/json");
    if (!reply) return "no answer from " + server_ + ": " + httplib::to_string(reply.error());
    if (reply->status != 200) {
      return "HTTP " + std::to_string(reply->status) + " from " + server_ + ": " +
             error_message(reply->body);
    }
    try {
      result = parse_infer_response(reply->body, request.output, rows, scores);
    } catch (const ProtocolError& e) {
      return server_ + ": " + e.what();
    }
    return {};
  }

 private:
  std::string server_;
  httplib::Client client_;
  std::string infer_path_;
  std::string body_;  // the request, its capacity reused
};

}  // namespace

std::unique_ptr<Connection> http_connection(const RunSettings& settings) {
  return std::make_unique<HttpConnection>(settings);
}

std::unique_ptr<Connection> connect(const RunSettings& settings, unsigned replica) {
  if (settings.server.starts_with("grpc://")) return grpc_connection(settings, replica);
  if (settings.server.starts_with("http://")) return http_connection(settings);
  throw InputError("'" + settings.server +
                   "' is not an http://HOST:PORT or grpc://HOST:PORT address");
}

}  // namespace tailq::remote
