// tailq serve: one of tailq's models behind the Open Inference Protocol (KServe v2) over HTTP or
// gRPC, until interrupted (docs/serving.md).
#include <fmt/format.h>

#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "tailq/options.hpp"
#include "tailq/serve.hpp"

namespace tailq::cli {
namespace {

extern "C" void on_serve_signal(int) { request_stop(); }

std::vector<std::int64_t> parse_shape(const std::string& text) {
  std::vector<std::int64_t> shape;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find_first_of(",x", at), text.size());
    const auto extent = static_cast<std::int64_t>(parse_count(text.substr(at, comma - at), 1));
    shape.push_back(extent);
    at = comma + 1;
  }
  return shape;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  struct Options {
    std::string model = "digits", name, plugin, data, shape, protocol = "http", host = "127.0.0.1";
    int port = 8000;
    unsigned threads = 1, replicas = 1;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve a model over the Open Inference Protocol (KServe v2), HTTP or gRPC, until stopped");
  cmd->add_option("--model", o->model, "digits (its CNN), or a TorchScript .pt or ONNX .onnx file")
      ->capture_default_str();
  cmd->add_option("--model-name", o->name,
                  "the name clients use (default: digits, or the file's stem)");
  cmd->add_option("--input-shape", o->shape, "shape of one input of a model file, e.g. 1,8,8");
  cmd->add_option("--data", o->data, "digits: digits.csv.gz (default: python3-sklearn's copy)");
  cmd->add_option("--plugin", o->plugin, "a plug-in that runs the model file");
  cmd->add_option("--protocol", o->protocol, "http (REST with JSON bodies) or grpc")
      ->check(CLI::IsMember({"http", "grpc"}))
      ->capture_default_str();
  cmd->add_option("--host", o->host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", o->port, "TCP port (0: a free one, printed)")
      ->check(number_in(0, 65535, true))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "intra-op threads of each model instance")
      ->check(number_in(1, 1024, true));
  cmd->add_option("--replicas", o->replicas, "model instances serving requests concurrently")
      ->check(number_in(1, 1024, true));
  cmd->callback([o] {
    ServeSettings settings;
    if (o->model == "digits") {
      settings.run.workload = "digits";
      settings.run.data = o->data;
    } else {
      if (!o->data.empty()) throw InputError("--data: applies to --model digits");
      settings.run.workload = "model";
      settings.run.model = o->model;
      if (!o->shape.empty()) {
        settings.instance_shape = with_flag("--input-shape", [&] { return parse_shape(o->shape); });
      }
    }
    settings.run.plugin = o->plugin;
    settings.run.threads = o->threads;
    settings.model_name = o->name;
    settings.protocol = o->protocol;
    settings.host = o->host;
    settings.port = o->port;
    settings.replicas = o->replicas;
    settings.listening = [&](int port) {
      std::cout << fmt::format("serving on {}://{}:{} (Open Inference Protocol v2); Ctrl-C stops",
                               o->protocol, o->host, port)
                << std::endl;
    };
    struct sigaction action {};
    action.sa_handler = on_serve_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    serve(settings);
  });
}

}  // namespace tailq::cli
