// The Open Inference Protocol's gRPC messages (backends/remote/grpc_messages.hpp), checked field
// by field against the protocol's published messages (grpc_predict_v2.proto): what tailq sends,
// what it reads from another server's replies (raw bytes or typed contents), and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "remote/grpc_messages.hpp"

namespace tailq::remote {
namespace {

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  std::size_t k = 0;
  for (T v : values) std::memcpy(bytes.data() + sizeof(T) * k++, &v, sizeof(T));
  return bytes;
}

TEST(V2Grpc, MetadataHasThePublishedFieldsAndReadsBack) {
  const ModelMetadata m{
      "digits", {"1"}, "tailq", {{"input", "FP32", {-1, 1, 8, 8}}}, {{"output", "FP32", {-1, 10}}}};
  inference::ModelMetadataResponse message;
  write_metadata(m, message);
  EXPECT_EQ(message.name(), "digits");
  ASSERT_EQ(message.versions_size(), 1);
  EXPECT_EQ(message.versions(0), "1");
  EXPECT_EQ(message.platform(), "tailq");
  ASSERT_EQ(message.inputs_size(), 1);
  EXPECT_EQ(message.inputs(0).name(), "input");
  EXPECT_EQ(message.inputs(0).datatype(), "FP32");
  EXPECT_EQ(
      std::vector<std::int64_t>(message.inputs(0).shape().begin(), message.inputs(0).shape().end()),
      (std::vector<std::int64_t>{-1, 1, 8, 8}));
  // Through the wire format and back.
  inference::ModelMetadataResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(message.SerializeAsString()));
  const ModelMetadata back = read_metadata(parsed);
  EXPECT_EQ(back.outputs.at(0).shape, (std::vector<std::int64_t>{-1, 10}));
  EXPECT_EQ(back.outputs.at(0).name, "output");
}

TEST(V2Grpc, RequestCarriesRawLittleEndianValuesOfTheInputsDatatype) {
  const TensorSpec input{"input0", "FP32", {-1, 2}};
  const std::vector<std::int64_t> shape{2, 2};
  const std::vector<float> data{0.5f, -1.0f, 3.25f, 0.1f};
  inference::ModelInferRequest message;
  write_infer_request({"42", &input, shape, data, "output0"}, "mymodel", message);
  EXPECT_EQ(message.model_name(), "mymodel");
  EXPECT_EQ(message.id(), "42");
  ASSERT_EQ(message.inputs_size(), 1);
  EXPECT_EQ(message.inputs(0).name(), "input0");
  EXPECT_EQ(message.inputs(0).datatype(), "FP32");
  EXPECT_EQ(message.inputs(0).shape_size(), 2);
  ASSERT_EQ(message.raw_input_contents_size(), 1);
  EXPECT_EQ(message.raw_input_contents(0), raw<float>({0.5f, -1.0f, 3.25f, 0.1f}));
  ASSERT_EQ(message.outputs_size(), 1);
  EXPECT_EQ(message.outputs(0).name(), "output0");
  // An integer input gets rounded values of its own width; a NaN is sent as 0.
  const TensorSpec ints{"ids", "INT64", {-1, 3}};
  const std::vector<std::int64_t> row{1, 3};
  const std::vector<float> values{2.6f, -1.2f, std::nanf("")};
  write_infer_request({"", &ints, row, values, "out"}, "m", message);
  EXPECT_EQ(message.inputs_size(), 1);  // a request is written afresh
  EXPECT_EQ(message.raw_input_contents(0), raw<std::int64_t>({3, -1, 0}));
  // What the server reads back is what was sent.
  const InferRequest read = read_infer_request(message);
  EXPECT_EQ(read.input_name, "ids");
  EXPECT_EQ(read.shape, row);
  EXPECT_EQ(read.data, (std::vector<float>{3, -1, 0}));
  EXPECT_EQ(read.outputs, (std::vector<std::string>{"out"}));
}

TEST(V2Grpc, ServerReadsTypedContentsOfOtherClients) {
  inference::ModelInferRequest message;
  auto& input = *message.add_inputs();
  input.set_name("x");
  input.set_datatype("UINT8");
  input.add_shape(1);
  input.add_shape(3);
  for (unsigned v : {0u, 128u, 255u}) input.mutable_contents()->add_uint_contents(v);
  const InferRequest read = read_infer_request(message);
  EXPECT_EQ(read.data, (std::vector<float>{0, 128, 255}));
  EXPECT_TRUE(read.outputs.empty());  // no outputs asked for: all of them
}

TEST(V2Grpc, BadRequestsNameTheField) {
  inference::ModelInferRequest message;
  EXPECT_THROW(read_infer_request(message), ProtocolError);  // no inputs
  auto& input = *message.add_inputs();
  input.set_name("x");
  input.set_datatype("FP32");
  input.add_shape(2);
  input.add_shape(2);
  *message.add_raw_input_contents() = raw<float>({1, 2, 3});  // 3 values for 4
  try {
    read_infer_request(message);
    FAIL() << "no error";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "inputs[0] has 12 raw bytes, its shape needs 4 values of 4 bytes");
  }
  message.clear_raw_input_contents();
  input.mutable_contents()->add_fp32_contents(1);
  EXPECT_THROW(read_infer_request(message), ProtocolError);  // 1 value for 4
  input.set_datatype("BYTES");
  EXPECT_THROW(read_infer_request(message), ProtocolError);
  input.set_datatype("FP32");
  input.set_shape(0, -1);
  EXPECT_THROW(read_infer_request(message), ProtocolError);  // no -1 in a request
  // A shape that alone would ask for petabytes is refused before anything is allocated.
  input.set_shape(0, std::int64_t{1} << 40);
  input.set_shape(1, std::int64_t{1} << 40);
  EXPECT_THROW(read_infer_request(message), ProtocolError);
}

TEST(V2Grpc, ResponseReadsBackWithTheServersTime) {
  const TensorSpec output{"output", "FP32", {-1, 3}};
  const std::vector<std::int64_t> shape{2, 3};
  const std::vector<float> data{0.1f, 0.7f, 0.2f, 0.3f, 0.3f, 0.4f};
  inference::ModelInferResponse message;
  write_infer_response({"digits", "7", &output, shape, data, 0.00125}, message);
  EXPECT_EQ(message.model_name(), "digits");
  EXPECT_EQ(message.id(), "7");
  ASSERT_EQ(message.raw_output_contents_size(), 1);
  EXPECT_EQ(message.parameters().at("tailq_inference_ns").int64_param(), 1250000);
  std::vector<float> scores(8, -1);
  const InferResult got = read_infer_response(message, "output", 2, scores);
  EXPECT_EQ(got.width, 3u);
  ASSERT_TRUE(got.inference_s.has_value());
  EXPECT_DOUBLE_EQ(*got.inference_s, 0.00125);
  EXPECT_EQ(std::vector<float>(scores.begin(), scores.begin() + 6), data);
  EXPECT_EQ(scores[6], -1);  // nothing past the output
}

TEST(V2Grpc, ResponseOfAnotherServerInTypedContentsWithoutTime) {
  inference::ModelInferResponse message;
  auto& out = *message.add_outputs();
  out.set_name("probs");
  out.set_datatype("FP64");
  out.add_shape(1);
  out.add_shape(2);
  out.mutable_contents()->add_fp64_contents(0.25);
  out.mutable_contents()->add_fp64_contents(0.75);
  std::vector<float> scores(2);
  const InferResult got = read_infer_response(message, "", 1, scores);
  EXPECT_EQ(got.width, 2u);
  EXPECT_FALSE(got.inference_s.has_value());
  EXPECT_EQ(scores, (std::vector<float>{0.25f, 0.75f}));
  EXPECT_THROW(read_infer_response(message, "logits", 1, scores), ProtocolError);  // no such
  EXPECT_THROW(read_infer_response(message, "probs", 2, scores), ProtocolError);   // 1 row, not 2
  std::vector<float> small(1);
  EXPECT_THROW(read_infer_response(message, "probs", 1, small), ProtocolError);  // too many values
}

}  // namespace
}  // namespace tailq::remote
