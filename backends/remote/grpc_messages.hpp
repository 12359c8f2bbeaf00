// The Open Inference Protocol's gRPC messages (grpc_predict_v2.proto) to and from the forms that
// tailq's client and server share with the HTTP transport (v2_protocol.hpp). Tensors are sent
// as raw little-endian bytes (raw_input_contents, raw_output_contents), the protocol's compact
// form; tensors in the typed contents fields are read as well. A message that breaks the
// protocol raises ProtocolError naming the field.
#pragma once

#include <span>
#include <string_view>

#include "remote/grpc_predict_v2.pb.h"
#include "remote/v2_protocol.hpp"

namespace tailq::remote {

void write_metadata(const ModelMetadata& metadata, inference::ModelMetadataResponse& out);
ModelMetadata read_metadata(const inference::ModelMetadataResponse& message);

// The client's request for `model`: the input's values in its datatype.
void write_infer_request(const InferRequestView& request, std::string_view model,
                         inference::ModelInferRequest& out);
// What the server reads of a request: its first input, as floats.
InferRequest read_infer_request(const inference::ModelInferRequest& message);

void write_infer_response(const InferResponseView& response, inference::ModelInferResponse& out);
// As parse_infer_response (v2_protocol.hpp), from the gRPC reply.
InferResult read_infer_response(const inference::ModelInferResponse& message, std::string_view name,
                                std::size_t rows, std::span<float> scores);

}  // namespace tailq::remote
