// The gRPC transport of the Open Inference Protocol (grpc_predict_v2.proto): one channel per
// worker, each on a connection of its own, every call bounded by the request timeout.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <climits>

#include "remote/grpc_messages.hpp"
#include "remote/grpc_predict_v2.grpc.pb.h"
#include "remote/v2_connection.hpp"
#include "tailq/error.hpp"

namespace tailq::remote {
namespace {

// "UNAVAILABLE: failed to connect to all addresses".
std::string status_text(const grpc::Status& status) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const auto code = static_cast<std::size_t>(status.error_code());
  const std::string name = code < std::size(kNames) ? kNames[code] : std::to_string(code);
  return status.error_message().empty() ? name : name + ": " + status.error_message();
}

// No answer at all (as opposed to the server's refusal).
bool unanswered(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::CANCELLED;
}

class GrpcConnection final : public Connection {
 public:
  GrpcConnection(const RunSettings& settings, unsigned replica)
      : server_(settings.server),
        model_(settings.model_name),
        timeout_(std::chrono::duration<double>(settings.request_timeout_s)) {
    const std::string target = server_.substr(std::string_view("grpc://").size());
    if (target.empty() || target.find(':') == std::string::npos) {
      throw InputError(server_ + ": not a grpc://HOST:PORT address");
    }
    grpc::ChannelArguments args;
    // A subchannel of its own: without it channels to one address share one connection, and
    // the workers' requests would queue on it instead of being in flight side by side.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("tailq.worker", static_cast<int>(replica));
    // While the server is away requests fail at once, as over HTTP when the connection is
    // refused; once it is back the channel finds it within half a second (gRPC's own backoff
    // between attempts grows to two minutes, HTTP simply connects again).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    args.SetMaxReceiveMessageSize(INT_MAX);
    args.SetMaxSendMessageSize(INT_MAX);
    stub_ = inference::GRPCInferenceService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }

  std::string protocol() const override { return "gRPC"; }

  ModelMetadata metadata(const std::string& model) override {
    grpc::ClientContext context;
    bound(context);
    inference::ModelMetadataRequest request;
    request.set_name(model);
    inference::ModelMetadataResponse reply;
    const grpc::Status status = stub_->ModelMetadata(&context, request, &reply);
    if (unanswered(status)) {
      throw InputError(server_ + ": cannot reach the server: " + status_text(status));
    }
    if (!status.ok()) {
      throw InputError(server_ + ": model " + model + ": gRPC " + status_text(status) +
                       " for its metadata");
    }
    return read_metadata(reply);
  }

  std::string infer(const InferRequestView& request, std::size_t rows, std::span<float> scores,
                    InferResult& result) override {
    try {
      write_infer_request(request, model_, request_);
    } catch (const ProtocolError& e) {
      return server_ + ": " + e.what();
    }
    grpc::ClientContext context;
    bound(context);
    reply_.Clear();
    const grpc::Status status = stub_->ModelInfer(&context, request_, &reply_);
    if (unanswered(status)) return "no answer from " + server_ + ": " + status_text(status);
    if (!status.ok()) return "gRPC " + status_text(status) + " from " + server_;
    try {
      result = read_infer_response(reply_, request.output, rows, scores);
    } catch (const ProtocolError& e) {
      return server_ + ": " + e.what();
    }
    return {};
  }

 private:
  void bound(grpc::ClientContext& context) const {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout_));
  }

  std::string server_, model_;
  std::chrono::duration<double> timeout_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  inference::ModelInferRequest request_;  // reused from call to call
  inference::ModelInferResponse reply_;
};

}  // namespace

std::unique_ptr<Connection> grpc_connection(const RunSettings& settings, unsigned replica) {
  return std::make_unique<GrpcConnection>(settings, replica);
}

}  // namespace tailq::remote
