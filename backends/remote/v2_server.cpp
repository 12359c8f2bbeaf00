#include "remote/v2_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "remote/grpc_server.hpp"
#include "remote/served_model.hpp"
#include "remote/v2_protocol.hpp"
#include "tailq/error.hpp"
#include "tailq/run_options.hpp"

namespace tailq::remote {
namespace {

using nlohmann::json;

// The protocol's HTTP/REST endpoints in front of a served model.
class V2Server {
 public:
  explicit V2Server(ServedModel& model) : model_(model) { routes(); }

  httplib::Server& http() { return http_; }

 private:
  static void reply(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
  }

  // The model of a request's path, or a 404 reply when it is not this one.
  bool known(const httplib::Request& req, httplib::Response& res) const {
    if (req.matches[1] == model_.metadata().name) return true;
    reply(res, 404, error_json("unknown model '" + std::string(req.matches[1]) + "'"));
    return false;
  }

  void routes() {
    const std::string model = R"(/v2/models/([^/]+)(?:/versions/[^/]+)?)";
    http_.Get("/v2/health/live", [](const httplib::Request&, httplib::Response& res) {
      reply(res, 200, R"({"live":true})");
    });
    http_.Get("/v2/health/ready", [](const httplib::Request&, httplib::Response& res) {
      reply(res, 200, R"({"ready":true})");
    });
    http_.Get("/v2", [](const httplib::Request&, httplib::Response& res) {
      reply(res, 200, json{{"name", "tailq"}, {"extensions", {"statistics"}}}.dump());
    });
    http_.Get(model, [this](const httplib::Request& req, httplib::Response& res) {
      if (known(req, res)) reply(res, 200, metadata_json(model_.metadata()));
    });
    http_.Get(model + "/ready", [this](const httplib::Request& req, httplib::Response& res) {
      if (known(req, res)) {
        reply(res, 200, json{{"name", model_.metadata().name}, {"ready", true}}.dump());
      }
    });
    http_.Get(model + "/stats", [this](const httplib::Request& req, httplib::Response& res) {
      if (known(req, res)) reply(res, 200, model_.statistics_json());
    });
    http_.Post(model + "/infer", [this](const httplib::Request& req, httplib::Response& res) {
      if (known(req, res)) infer(req, res);
    });
    http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (res.body.empty()) {
        reply(res, res.status, error_json("no such endpoint: " + req.method + " " + req.path));
      }
    });
  }

  void infer(const httplib::Request& req, httplib::Response& res) {
    const auto arrived = std::chrono::steady_clock::now();
    InferRequest request;
    try {
      request = parse_infer_request(req.body);
    } catch (const ProtocolError& e) {
      model_.count_refused(arrived);
      return reply(res, 400, error_json(e.what()));
    }
    const std::string id = request.id;
    const ServedModel::Reply answer = model_.infer(std::move(request));
    switch (answer.status) {
      case ServedModel::Reply::Status::bad_request:
        return reply(res, 400, error_json(answer.error));
      case ServedModel::Reply::Status::failed:
        return reply(res, 500, error_json(answer.error));
      case ServedModel::Reply::Status::ok:
        break;
    }
    reply(res, 200,
          infer_response_json({model_.metadata().name, id, &model_.output(), answer.shape,
                               answer.scores, answer.inference_s}));
  }

  ServedModel& model_;
  httplib::Server http_;
};

void serve_http(ServedModel& model, const ServeSettings& settings, const std::atomic<bool>& stop) {
  V2Server server(model);
  httplib::Server& http = server.http();
  // A kept-alive connection holds a thread of the pool: room for many concurrent clients.
  const unsigned threads = std::max(64u, 4 * std::max(1u, settings.replicas));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(std::numeric_limits<int>::max());
  http.set_keep_alive_timeout(60);
  int port = settings.port;
  if (port == 0) {
    port = http.bind_to_any_port(settings.host);
    if (port < 0) throw InputError(settings.host + ": cannot listen on a free port");
  } else if (!http.bind_to_port(settings.host, port)) {
    throw InputError(settings.host + ":" + std::to_string(port) +
                     ": cannot listen there (in use, or not an address of this machine)");
  }
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (stop.load(std::memory_order_relaxed)) {
        http.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  try {
    if (settings.listening) settings.listening(port);
    http.listen_after_bind();
  } catch (...) {
    done = true;
    watcher.join();
    throw;
  }
  done = true;
  watcher.join();
}

}  // namespace

void serve_v2(const ServeSettings& settings, const std::atomic<bool>& stop) {
  if (settings.port < 0 || settings.port > 65535) {
    throw OptionError("port", std::to_string(settings.port) + " is not a TCP port");
  }
  if (settings.protocol != "http" && settings.protocol != "grpc") {
    throw OptionError("protocol", "'" + settings.protocol + "': http or grpc");
  }
  ServedModel model(settings);
  if (settings.protocol == "grpc") return serve_grpc(model, settings, stop);
  serve_http(model, settings, stop);
}

}  // namespace tailq::remote
