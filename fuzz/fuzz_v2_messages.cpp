// The Open Inference Protocol's messages as the remote plug-in reads them from the other side:
// `tailq serve` from any client, `tailq run --server` from any server. One input is tried as
// every message kind, as a JSON body (v2_protocol.hpp) and as a gRPC message
// (grpc_messages.hpp); ProtocolError is the documented refusal, anything else is a finding.
#include <vector>

#include "fuzz_util.hpp"
#include "remote/grpc_messages.hpp"
#include "remote/v2_protocol.hpp"

namespace {

template <typename Body>
void refused_cleanly(Body&& body) {
  try {
    body();
  } catch (const tailq::remote::ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq::remote;
  const std::string_view bytes = tailq::fuzz::as_text(data, size);
  std::vector<float> scores(64);
  refused_cleanly([&] { parse_metadata(bytes); });
  refused_cleanly([&] { parse_infer_request(bytes); });
  refused_cleanly([&] {
    const InferResult r = parse_infer_response(bytes, "", 4, scores);
    if (r.width * 4 > scores.size()) __builtin_trap();
  });
  inference::ModelInferRequest request;
  if (request.ParseFromArray(data, static_cast<int>(size))) {
    refused_cleanly([&] { read_infer_request(request); });
  }
  inference::ModelInferResponse response;
  if (response.ParseFromArray(data, static_cast<int>(size))) {
    refused_cleanly([&] {
      const InferResult r = read_infer_response(response, "", 4, scores);
      if (r.width * 4 > scores.size()) __builtin_trap();
    });
  }
  inference::ModelMetadataResponse metadata;
  if (metadata.ParseFromArray(data, static_cast<int>(size))) read_metadata(metadata);
  return 0;
}
