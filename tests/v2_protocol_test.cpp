// The Open Inference Protocol's JSON messages (backends/remote/v2_protocol.hpp), checked
// against the shapes the protocol publishes (KServe's "Predict Protocol, version 2", HTTP/REST).
#include "remote/v2_protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tailq::remote {
namespace {

using nlohmann::json;

TEST(V2Protocol, MetadataHasThePublishedFieldsAndReadsBack) {
  const ModelMetadata m{
      "digits", {"1"}, "tailq", {{"input", "FP32", {-1, 1, 8, 8}}}, {{"output", "FP32", {-1, 10}}}};
  const json j = json::parse(metadata_json(m));
  EXPECT_EQ(j["name"], "digits");
  EXPECT_EQ(j["versions"], json::array({"1"}));
  EXPECT_EQ(j["platform"], "tailq");
  EXPECT_EQ(j["inputs"][0],
            (json{{"name", "input"}, {"datatype", "FP32"}, {"shape", {-1, 1, 8, 8}}}));
  EXPECT_EQ(j["outputs"][0]["shape"], json({-1, 10}));
  const ModelMetadata back = parse_metadata(metadata_json(m));
  EXPECT_EQ(back.inputs.at(0).shape, (std::vector<std::int64_t>{-1, 1, 8, 8}));
  EXPECT_EQ(back.outputs.at(0).name, "output");
}

TEST(V2Protocol, MetadataFromAnotherServerWithoutOptionalFields) {
  // The protocol's own example (platform and versions are optional).
  const ModelMetadata m = parse_metadata(
      R"({"name":"mymodel","inputs":[{"name":"input0","datatype":"INT32","shape":[-1,16]}],
          "outputs":[{"name":"output0","datatype":"FP32","shape":[-1,16]}]})");
  EXPECT_EQ(m.name, "mymodel");
  EXPECT_TRUE(m.platform.empty());
  EXPECT_EQ(m.inputs.at(0).datatype, "INT32");
}

TEST(V2Protocol, BadMetadataNamesTheField) {
  try {
    parse_metadata(R"({"name":"m","inputs":[{"name":"x","shape":[1]}],"outputs":[]})");
    FAIL() << "no error";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "inputs[0] has no \"datatype\"");
  }
  EXPECT_THROW(parse_metadata("[1, 2]"), ProtocolError);
  EXPECT_THROW(parse_metadata("{not json"), ProtocolError);
  EXPECT_THROW(parse_metadata(R"({"name":"m","inputs":[{"name":"x","datatype":"FP32",
                                  "shape":[-2]}],"outputs":[]})"),
               ProtocolError);
}

TEST(V2Protocol, RequestHasThePublishedShape) {
  const TensorSpec input{"input0", "FP32", {-1, 2}};
  const std::vector<std::int64_t> shape{2, 2};
  const std::vector<float> data{0.5f, -1.0f, 3.25f, 0.1f};
  std::string body;
  write_infer_request({"42", &input, shape, data, "output0"}, body);
  const json j = json::parse(body);
  EXPECT_EQ(j["id"], "42");
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["name"], "input0");
  EXPECT_EQ(j["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ(j["inputs"][0]["shape"], json({2, 2}));
  // Shortest round-trip text: every float comes back exactly.
  for (std::size_t k = 0; k < data.size(); ++k) {
    EXPECT_EQ(j["inputs"][0]["data"][k].get<float>(), data[k]);
  }
  EXPECT_EQ(j["outputs"], json::array({{{"name", "output0"}}}));
  // The server reads what the client writes.
  const InferRequest r = parse_infer_request(body);
  EXPECT_EQ(r.id, "42");
  EXPECT_EQ(r.shape, shape);
  EXPECT_EQ(r.data, data);
  EXPECT_EQ(r.outputs, std::vector<std::string>{"output0"});
}

TEST(V2Protocol, IntegerInputsAreSentAsIntegers) {
  const TensorSpec input{"ids", "INT64", {-1, 3}};
  const std::vector<std::int64_t> shape{1, 3};
  const std::vector<float> data{1.0f, 2.0f, 7.0f};
  std::string body;
  write_infer_request({"", &input, shape, data, "out"}, body);
  EXPECT_NE(body.find("\"data\":[1,2,7]"), std::string::npos) << body;
}

TEST(V2Protocol, ServerReadsNestedDataAndRefusesBadRequests) {
  const InferRequest r = parse_infer_request(
      R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2],[3,4]]}]})");
  EXPECT_EQ(r.data, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_THROW(parse_infer_request(R"({"inputs":[]})"), ProtocolError);
  EXPECT_THROW(parse_infer_request(
                   R"({"inputs":[{"name":"x","datatype":"BYTES","shape":[1],"data":["a"]}]})"),
               ProtocolError);
  try {
    parse_infer_request(
        R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[1,2,3]}]})");
    FAIL() << "no error";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "inputs[0].data has 3 values, its shape [2, 2] needs 4");
  }
}

TEST(V2Protocol, ResponseHasThePublishedShapeAndReadsBack) {
  const TensorSpec output{"output0", "FP32", {-1, 3}};
  const std::vector<std::int64_t> shape{2, 3};
  const std::vector<float> data{1, 2, 3, 4, 5, 6};
  const std::string body = infer_response_json({"m", "7", &output, shape, data, 0.000123});
  const json j = json::parse(body);
  EXPECT_EQ(j["model_name"], "m");
  EXPECT_EQ(j["id"], "7");
  EXPECT_EQ(j["outputs"][0]["name"], "output0");
  EXPECT_EQ(j["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(j["outputs"][0]["shape"], json({2, 3}));
  EXPECT_EQ(j["outputs"][0]["data"].size(), 6u);
  EXPECT_EQ(j["parameters"]["tailq_inference_ns"], 123000);
  std::vector<float> scores(6);
  const InferResult got = parse_infer_response(body, "output0", 2, scores);
  EXPECT_EQ(got.width, 3u);
  EXPECT_EQ(scores, data);
  ASSERT_TRUE(got.inference_s.has_value());
  EXPECT_NEAR(*got.inference_s, 0.000123, 1e-12);
}

TEST(V2Protocol, WrongOutputsAreProtocolErrors) {
  std::vector<float> scores(4);
  // The batch had 2 rows; the server answered for 1.
  EXPECT_THROW(parse_infer_response(
                   R"({"outputs":[{"name":"o","datatype":"FP32","shape":[1,2],"data":[1,2]}]})",
                   "o", 2, scores),
               ProtocolError);
  // More values than the scores can hold.
  EXPECT_THROW(
      parse_infer_response(
          R"({"outputs":[{"name":"o","datatype":"FP32","shape":[2,3],"data":[1,2,3,4,5,6]}]})", "o",
          2, scores),
      ProtocolError);
  // The data disagrees with the shape.
  EXPECT_THROW(parse_infer_response(
                   R"({"outputs":[{"name":"o","datatype":"FP32","shape":[2,2],"data":[1,2,3]}]})",
                   "o", 2, scores),
               ProtocolError);
  // Not the output asked for; not JSON.
  EXPECT_THROW(parse_infer_response(
                   R"({"outputs":[{"name":"p","datatype":"FP32","shape":[2,2],"data":[1,2,3,4]}]})",
                   "o", 2, scores),
               ProtocolError);
  EXPECT_THROW(parse_infer_response("<html>", "o", 2, scores), ProtocolError);
  // Without a name, the first output; without parameters, no inference time.
  const InferResult got = parse_infer_response(
      R"({"outputs":[{"name":"p","datatype":"FP64","shape":[2,2],"data":[1,2,3,4]}]})", "", 2,
      scores);
  EXPECT_EQ(got.width, 2u);
  EXPECT_FALSE(got.inference_s.has_value());
}

TEST(V2Protocol, ShapesAndErrors) {
  EXPECT_TRUE(
      shape_matches(std::vector<std::int64_t>{4, 1, 8, 8}, std::vector<std::int64_t>{-1, 1, 8, 8}));
  EXPECT_FALSE(
      shape_matches(std::vector<std::int64_t>{4, 64}, std::vector<std::int64_t>{-1, 1, 8, 8}));
  EXPECT_FALSE(
      shape_matches(std::vector<std::int64_t>{4, 2, 8, 8}, std::vector<std::int64_t>{-1, 1, 8, 8}));
  EXPECT_EQ(shape_text(std::vector<std::int64_t>{-1, 10}), "[-1, 10]");
  EXPECT_EQ(json::parse(error_json("bad \"x\""))["error"], "bad \"x\"");
  EXPECT_EQ(error_message(error_json("no such model")), "no such model");
  EXPECT_EQ(error_message("Internal Server Error\n"), "Internal Server Error ");
  EXPECT_TRUE(numeric_datatype("FP32"));
  EXPECT_FALSE(numeric_datatype("BYTES"));
}

TEST(V2Protocol, AHugeShapeIsRefusedBeforeAnythingIsAllocated) {
  try {
    parse_infer_request(R"({"inputs":[{"name":"x","datatype":"FP32",
                            "shape":[1099511627776,1099511627776],"data":[1]}]})");
    FAIL() << "no error";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(),
                 "inputs[0]'s shape [1099511627776, 1099511627776] holds more values than a "
                 "message can");
  }
  // A large but possible shape with too few values is refused for the count, not allocated.
  EXPECT_THROW(parse_infer_request(R"({"inputs":[{"name":"x","datatype":"FP32",
                                       "shape":[1000000000],"data":[1]}]})"),
               ProtocolError);
}

}  // namespace
}  // namespace tailq::remote
