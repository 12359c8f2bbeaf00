#include "remote/grpc_messages.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace tailq::remote {
namespace {

static_assert(std::endian::native == std::endian::little,
              "raw tensor contents are little-endian: this host would need byte swaps");

// Calls f(T{}) with the C++ type that holds one value of `datatype` in raw contents.
template <class F>
void with_type(std::string_view datatype, std::string_view where, F&& f) {
  if (datatype == "FP32") return f(float{});
  if (datatype == "FP64") return f(double{});
  if (datatype == "INT8") return f(std::int8_t{});
  if (datatype == "INT16") return f(std::int16_t{});
  if (datatype == "INT32") return f(std::int32_t{});
  if (datatype == "INT64") return f(std::int64_t{});
  if (datatype == "UINT8") return f(std::uint8_t{});
  if (datatype == "UINT16") return f(std::uint16_t{});
  if (datatype == "UINT32") return f(std::uint32_t{});
  if (datatype == "UINT64") return f(std::uint64_t{});
  throw ProtocolError(std::string(where) + ": datatype " + std::string(datatype) +
                      " is not one that tailq sends or reads over gRPC");
}

template <class T>
T from_float(float v) {
  if (!std::isfinite(v)) v = 0;  // no answer hides in a NaN; as over HTTP
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    return static_cast<T>(std::llround(v));
  }
}

void encode(std::string_view datatype, std::span<const float> values, std::string& out) {
  with_type(datatype, "the input", [&](auto zero) {
    using T = decltype(zero);
    out.resize(values.size() * sizeof(T));
    for (std::size_t k = 0; k < values.size(); ++k) {
      const T v = from_float<T>(values[k]);
      std::memcpy(out.data() + k * sizeof(T), &v, sizeof(T));
    }
  });
}

// The `n` values of a tensor, from raw bytes, into `put(k, value)`.
template <class Put>
void decode_raw(std::string_view datatype, const std::string& raw, std::size_t n,
                std::string_view where, Put&& put) {
  with_type(datatype, where, [&](auto zero) {
    using T = decltype(zero);
    if (raw.size() != n * sizeof(T)) {
      throw ProtocolError(std::string(where) + " has " + std::to_string(raw.size()) +
                          " raw bytes, its shape needs " + std::to_string(n) + " values of " +
                          std::to_string(sizeof(T)) + " bytes");
    }
    for (std::size_t k = 0; k < n; ++k) {
      T v;
      std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
      put(k, static_cast<float>(v));
    }
  });
}

// The values of a tensor from the contents field of its datatype.
template <class Put>
void decode_contents(std::string_view datatype, const inference::InferTensorContents& c,
                     std::size_t n, std::string_view where, Put&& put) {
  auto take = [&](const auto& field) {
    if (static_cast<std::size_t>(field.size()) != n) {
      throw ProtocolError(std::string(where) + " has " + std::to_string(field.size()) +
                          " values in its " + std::string(datatype) +
                          " contents, its shape needs " + std::to_string(n));
    }
    for (std::size_t k = 0; k < n; ++k) put(k, static_cast<float>(field[static_cast<int>(k)]));
  };
  if (datatype == "FP32") return take(c.fp32_contents());
  if (datatype == "FP64") return take(c.fp64_contents());
  if (datatype == "INT8" || datatype == "INT16" || datatype == "INT32") {
    return take(c.int_contents());
  }
  if (datatype == "INT64") return take(c.int64_contents());
  if (datatype == "UINT8" || datatype == "UINT16" || datatype == "UINT32") {
    return take(c.uint_contents());
  }
  if (datatype == "UINT64") return take(c.uint64_contents());
  throw ProtocolError(std::string(where) + ": datatype " + std::string(datatype) +
                      " is not one that tailq reads over gRPC");
}

std::vector<std::int64_t> shape_of(const google::protobuf::RepeatedField<std::int64_t>& dims,
                                   std::string_view where) {
  std::vector<std::int64_t> shape(dims.begin(), dims.end());
  for (std::int64_t d : shape) {
    if (d < 0) {
      throw ProtocolError(std::string(where) + " has shape " + shape_text(shape) +
                          ", not one of known extents");
    }
  }
  return shape;
}

template <class Message>
void write_spec(const TensorSpec& spec, Message& out) {
  out.set_name(spec.name);
  out.set_datatype(spec.datatype);
  for (std::int64_t d : spec.shape) out.add_shape(d);
}

std::vector<TensorSpec> read_specs(
    const google::protobuf::RepeatedPtrField<inference::ModelMetadataResponse::TensorMetadata>&
        list) {
  std::vector<TensorSpec> specs;
  for (const auto& t : list) {
    specs.push_back({t.name(), t.datatype(), {t.shape().begin(), t.shape().end()}});
  }
  return specs;
}

}  // namespace

void write_metadata(const ModelMetadata& m, inference::ModelMetadataResponse& out) {
  out.set_name(m.name);
  for (const std::string& v : m.versions) out.add_versions(v);
  out.set_platform(m.platform);
  for (const TensorSpec& t : m.inputs) write_spec(t, *out.add_inputs());
  for (const TensorSpec& t : m.outputs) write_spec(t, *out.add_outputs());
}

ModelMetadata read_metadata(const inference::ModelMetadataResponse& message) {
  ModelMetadata m;
  m.name = message.name();
  m.versions.assign(message.versions().begin(), message.versions().end());
  m.platform = message.platform();
  m.inputs = read_specs(message.inputs());
  m.outputs = read_specs(message.outputs());
  return m;
}

void write_infer_request(const InferRequestView& r, std::string_view model,
                         inference::ModelInferRequest& out) {
  out.Clear();
  out.set_model_name(std::string(model));
  out.set_id(std::string(r.id));
  auto& input = *out.add_inputs();
  write_spec({r.input->name, r.input->datatype, {r.shape.begin(), r.shape.end()}}, input);
  encode(r.input->datatype, r.data, *out.add_raw_input_contents());
  out.add_outputs()->set_name(std::string(r.output));
}

InferRequest read_infer_request(const inference::ModelInferRequest& message) {
  if (message.inputs().empty()) throw ProtocolError("the inference request has no inputs");
  const auto& input = message.inputs(0);
  InferRequest r;
  r.id = message.id();
  r.input_name = input.name();
  r.datatype = input.datatype();
  r.shape = shape_of(input.shape(), "inputs[0]");
  const std::size_t n = element_count(r.shape, "inputs[0]");
  // Appended in order once the count is checked: a shape alone allocates nothing.
  auto put = [&](std::size_t, float v) { r.data.push_back(v); };
  if (!message.raw_input_contents().empty()) {
    decode_raw(r.datatype, message.raw_input_contents(0), n, "inputs[0]", put);
  } else {
    decode_contents(r.datatype, input.contents(), n, "inputs[0]", put);
  }
  for (const auto& o : message.outputs()) r.outputs.push_back(o.name());
  return r;
}

void write_infer_response(const InferResponseView& r, inference::ModelInferResponse& out) {
  out.set_model_name(std::string(r.model_name));
  out.set_id(std::string(r.id));
  write_spec({r.output->name, r.output->datatype, {r.shape.begin(), r.shape.end()}},
             *out.add_outputs());
  encode(r.output->datatype, r.data, *out.add_raw_output_contents());
  if (r.inference_s) {
    (*out.mutable_parameters())["tailq_inference_ns"].set_int64_param(
        std::llround(*r.inference_s * 1e9));
  }
}

InferResult read_infer_response(const inference::ModelInferResponse& message, std::string_view name,
                                std::size_t rows, std::span<float> scores) {
  if (message.outputs().empty()) throw ProtocolError("the inference response has no outputs");
  int at = 0;
  if (!name.empty()) {
    at = -1;
    for (int k = 0; k < message.outputs_size(); ++k) {
      if (message.outputs(k).name() == name) at = k;
    }
    if (at < 0) throw ProtocolError("the inference response has no output " + std::string(name));
  }
  const auto& output = message.outputs(at);
  const std::vector<std::int64_t> shape = shape_of(output.shape(), "the output");
  if (shape.empty() || shape.front() != static_cast<std::int64_t>(rows)) {
    throw ProtocolError("the output's shape " + shape_text(shape) + " does not start with the " +
                        "batch's " + std::to_string(rows) + " rows");
  }
  const std::size_t n = element_count(shape, "the output");
  if (n > scores.size()) {
    throw ProtocolError("the output's shape " + shape_text(shape) + " holds " + std::to_string(n) +
                        " values, more than the " + std::to_string(scores.size()) + " expected");
  }
  auto put = [&](std::size_t k, float v) { scores[k] = v; };
  // Raw contents, when used, come one per output in the order of the outputs.
  if (message.raw_output_contents_size() > at) {
    decode_raw(output.datatype(), message.raw_output_contents(at), n, "the output", put);
  } else {
    decode_contents(output.datatype(), output.contents(), n, "the output", put);
  }
  InferResult result;
  result.width = rows ? n / rows : 0;
  if (const auto p = message.parameters().find("tailq_inference_ns");
      p != message.parameters().end() &&
      p->second.parameter_choice_case() == inference::InferParameter::kInt64Param) {
    result.inference_s = static_cast<double>(p->second.int64_param()) * 1e-9;
  }
  return result;
}

}  // namespace tailq::remote
