// The Open Inference Protocol (KServe v2) over HTTP/REST with JSON bodies: the messages that
// tailq's client (remote_backend.hpp) and server (v2_server.hpp) exchange, and nothing of the
// transport. Tensors travel as flat row-major "data" arrays (nested arrays are read too).
// Messages that break the protocol raise ProtocolError naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tailq::remote {

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A tensor's metadata: name, datatype ("FP32", ...) and shape (-1: any extent).
struct TensorSpec {
  std::string name, datatype;
  std::vector<std::int64_t> shape;
};

// GET /v2/models/NAME.
struct ModelMetadata {
  std::string name;
  std::vector<std::string> versions;
  std::string platform;
  std::vector<TensorSpec> inputs, outputs;
};
std::string metadata_json(const ModelMetadata& metadata);
ModelMetadata parse_metadata(std::string_view body);

// Whether a datatype's values can be sent from, or read into, floats.
bool numeric_datatype(std::string_view datatype);
// "[-1, 1, 8, 8]", for messages.
std::string shape_text(std::span<const std::int64_t> shape);
// Whether `shape` is an instance of `pattern` (same rank, equal where the pattern is not -1).
bool shape_matches(std::span<const std::int64_t> shape, std::span<const std::int64_t> pattern);
// The values in a tensor of `shape`; ProtocolError, naming the tensor `where`, for a -1 in it or
// for more values than a message can carry (so that a shape alone makes no one allocate).
std::size_t element_count(std::span<const std::int64_t> shape, std::string_view where);

// POST /v2/models/NAME/infer, one input tensor and one requested output. Written into `body`
// (its capacity is reused from call to call).
struct InferRequestView {
  std::string_view id;
  const TensorSpec* input = nullptr;  // its name and datatype; the shape is `shape`
  std::span<const std::int64_t> shape;
  std::span<const float> data;
  std::string_view output;  // the output tensor asked for
};
void write_infer_request(const InferRequestView& request, std::string& body);

// What a server reads of a request: its first input tensor, as floats.
struct InferRequest {
  std::string id;
  std::string input_name, datatype;
  std::vector<std::int64_t> shape;
  std::vector<float> data;
  std::vector<std::string> outputs;  // the outputs asked for (empty: all)
};
InferRequest parse_infer_request(std::string_view body);

// The reply: one output tensor, and the server's inference time for the request in the
// response's parameters ("tailq_inference_ns"), when it tells.
struct InferResponseView {
  std::string_view model_name, id;
  const TensorSpec* output = nullptr;
  std::span<const std::int64_t> shape;
  std::span<const float> data;
  std::optional<double> inference_s;
};
std::string infer_response_json(const InferResponseView& response);

// What a client reads of a reply: output tensor `name` (the first when empty) of `rows` rows,
// written into `scores` (which must hold it); returns its row width and the inference time
// the server reported, if any.
struct InferResult {
  std::size_t width = 0;
  std::optional<double> inference_s;
};
InferResult parse_infer_response(std::string_view body, std::string_view name, std::size_t rows,
                                 std::span<float> scores);

// The protocol's error body, {"error": message}, and the message of one (or the body's start
// when it is not one).
std::string error_json(std::string_view message);
std::string error_message(std::string_view body);

}  // namespace tailq::remote
