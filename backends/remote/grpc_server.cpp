#include "remote/grpc_server.hpp"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <climits>
#include <thread>

#include "remote/grpc_messages.hpp"
#include "remote/grpc_predict_v2.grpc.pb.h"
#include "tailq/error.hpp"

namespace tailq::remote {
namespace {

class InferenceService final : public inference::GRPCInferenceService::Service {
 public:
  explicit InferenceService(ServedModel& model) : model_(model) {}

  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* out) override {
    out->set_live(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* out) override {
    out->set_ready(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerMetadata(grpc::ServerContext*, const inference::ServerMetadataRequest*,
                              inference::ServerMetadataResponse* out) override {
    out->set_name("tailq");
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* request,
                          inference::ModelReadyResponse* out) override {
    if (!known(request->name())) return unknown(request->name());
    out->set_ready(true);
    return grpc::Status::OK;
  }
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* request,
                             inference::ModelMetadataResponse* out) override {
    if (!known(request->name())) return unknown(request->name());
    write_metadata(model_.metadata(), *out);
    return grpc::Status::OK;
  }
  grpc::Status ModelInfer(grpc::ServerContext*, const inference::ModelInferRequest* request,
                          inference::ModelInferResponse* out) override {
    const auto arrived = std::chrono::steady_clock::now();
    if (!known(request->model_name())) return unknown(request->model_name());
    InferRequest parsed;
    try {
      parsed = read_infer_request(*request);
    } catch (const ProtocolError& e) {
      model_.count_refused(arrived);
      return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
    }
    const ServedModel::Reply answer = model_.infer(std::move(parsed));
    switch (answer.status) {
      case ServedModel::Reply::Status::bad_request:
        return {grpc::StatusCode::INVALID_ARGUMENT, answer.error};
      case ServedModel::Reply::Status::failed:
        return {grpc::StatusCode::INTERNAL, answer.error};
      case ServedModel::Reply::Status::ok:
        break;
    }
    write_infer_response({model_.metadata().name, request->id(), &model_.output(), answer.shape,
                          answer.scores, answer.inference_s},
                         *out);
    return grpc::Status::OK;
  }

 private:
  bool known(const std::string& name) const { return name == model_.metadata().name; }
  static grpc::Status unknown(const std::string& name) {
    return {grpc::StatusCode::NOT_FOUND, "unknown model '" + name + "'"};
  }

  ServedModel& model_;
};

}  // namespace

void serve_grpc(ServedModel& model, const ServeSettings& settings, const std::atomic<bool>& stop) {
  InferenceService service(model);
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string address = settings.host + ":" + std::to_string(settings.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(INT_MAX);
  builder.SetMaxSendMessageSize(INT_MAX);
  const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    throw InputError(address + ": cannot listen there (in use, or not an address of this machine)");
  }
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (stop.load(std::memory_order_relaxed)) {
        // Calls in progress get a moment to finish; then they are cancelled.
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  try {
    if (settings.listening) settings.listening(port);
  } catch (...) {
    done = true;
    watcher.join();
    throw;
  }
  server->Wait();
  done = true;
  watcher.join();
}

}  // namespace tailq::remote
