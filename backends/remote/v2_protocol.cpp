#include "remote/v2_protocol.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace tailq::remote {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 11> kNumeric = {"FP32",   "FP64",   "FP16",  "INT8",
                                                       "INT16",  "INT32",  "INT64", "UINT8",
                                                       "UINT16", "UINT32", "UINT64"};

bool integer_datatype(std::string_view datatype) {
  return datatype.starts_with("INT") || datatype.starts_with("UINT");
}

json parse_object(std::string_view body, std::string_view what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw ProtocolError(std::string(what) + " is not a JSON object");
  }
  return j;
}

const json& member(const json& object, std::string_view key, std::string_view where) {
  const auto at = object.find(key);
  if (at == object.end()) {
    throw ProtocolError(std::string(where) + " has no \"" + std::string(key) + "\"");
  }
  return *at;
}

std::string text_member(const json& object, std::string_view key, std::string_view where) {
  const json& v = member(object, key, where);
  if (!v.is_string()) {
    throw ProtocolError(std::string(where) + "." + std::string(key) + " is not a string");
  }
  return v.get<std::string>();
}

std::vector<std::int64_t> shape_member(const json& object, std::string_view where) {
  const json& v = member(object, "shape", where);
  if (!v.is_array()) throw ProtocolError(std::string(where) + ".shape is not an array");
  std::vector<std::int64_t> shape;
  for (const json& d : v) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < -1) {
      throw ProtocolError(std::string(where) + ".shape has " + d.dump() + ", not an extent");
    }
    shape.push_back(d.get<std::int64_t>());
  }
  return shape;
}

TensorSpec parse_tensor_spec(const json& j, const std::string& where) {
  if (!j.is_object()) throw ProtocolError(where + " is not an object");
  return {text_member(j, "name", where), text_member(j, "datatype", where), shape_member(j, where)};
}

std::vector<TensorSpec> tensor_specs(const json& body, std::string_view key) {
  std::vector<TensorSpec> specs;
  const json& list = member(body, key, "the model metadata");
  if (!list.is_array())
    throw ProtocolError("the model metadata's " + std::string(key) + " is not an array");
  for (std::size_t k = 0; k < list.size(); ++k) {
    specs.push_back(parse_tensor_spec(list[k], std::string(key) + "[" + std::to_string(k) + "]"));
  }
  return specs;
}

json spec_json(const TensorSpec& t) {
  return {{"name", t.name}, {"datatype", t.datatype}, {"shape", t.shape}};
}

// Appends the numbers of a (possibly nested) "data" array, row-major, to `out` through `put`.
template <class Put>
void flatten(const json& data, std::string_view where, Put&& put) {
  if (data.is_array()) {
    for (const json& v : data) flatten(v, where, put);
  } else if (data.is_number()) {
    put(data.get<double>());
  } else if (data.is_boolean()) {
    put(data.get<bool>() ? 1.0 : 0.0);
  } else {
    throw ProtocolError(std::string(where) + ".data holds " + data.dump() + ", not a number");
  }
}

void append_number(std::string& out, float v, bool integer) {
  char buffer[32];
  std::to_chars_result r{};
  if (!std::isfinite(v)) {
    // JSON has no NaN or infinity; a server would refuse them, and they carry no answer.
    v = 0;
  }
  if (integer) {
    r = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(std::lround(v)));
  } else {
    r = std::to_chars(buffer, buffer + sizeof buffer, v);
  }
  out.append(buffer, r.ptr);
}

void append_string(std::string& out, std::string_view text) { out += json(text).dump(); }

}  // namespace

bool numeric_datatype(std::string_view datatype) {
  return std::find(kNumeric.begin(), kNumeric.end(), datatype) != kNumeric.end();
}

std::string shape_text(std::span<const std::int64_t> shape) {
  std::string text = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    text += (k ? ", " : "") + std::to_string(shape[k]);
  }
  return text + "]";
}

bool shape_matches(std::span<const std::int64_t> shape, std::span<const std::int64_t> pattern) {
  if (shape.size() != pattern.size()) return false;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (pattern[k] != -1 && pattern[k] != shape[k]) return false;
  }
  return true;
}

std::size_t element_count(std::span<const std::int64_t> shape, std::string_view where) {
  constexpr std::size_t kMost = std::size_t{1} << 32;
  std::size_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw ProtocolError(std::string(where) + " has a shape with -1 in it");
    if (d != 0 && n > kMost / static_cast<std::size_t>(d)) {
      throw ProtocolError(std::string(where) + "'s shape " + shape_text(shape) +
                          " holds more values than a message can");
    }
    n *= static_cast<std::size_t>(d);
  }
  return n;
}

std::string metadata_json(const ModelMetadata& m) {
  json inputs = json::array(), outputs = json::array();
  for (const TensorSpec& t : m.inputs) inputs.push_back(spec_json(t));
  for (const TensorSpec& t : m.outputs) outputs.push_back(spec_json(t));
  return json{{"name", m.name},
              {"versions", m.versions},
              {"platform", m.platform},
              {"inputs", inputs},
              {"outputs", outputs}}
      .dump();
}

ModelMetadata parse_metadata(std::string_view body) {
  const json j = parse_object(body, "the model metadata");
  ModelMetadata m;
  m.name = text_member(j, "name", "the model metadata");
  if (const auto at = j.find("platform"); at != j.end() && at->is_string()) {
    m.platform = at->get<std::string>();
  }
  if (const auto at = j.find("versions"); at != j.end() && at->is_array()) {
    for (const json& v : *at) {
      if (v.is_string()) m.versions.push_back(v.get<std::string>());
    }
  }
  m.inputs = tensor_specs(j, "inputs");
  m.outputs = tensor_specs(j, "outputs");
  return m;
}

void write_infer_request(const InferRequestView& r, std::string& body) {
  const bool integer = integer_datatype(r.input->datatype);
  body.clear();
  body += "{\"id\":";
  append_string(body, r.id);
  body += ",\"inputs\":[{\"name\":";
  append_string(body, r.input->name);
  body += ",\"datatype\":";
  append_string(body, r.input->datatype);
  body += ",\"shape\":" + shape_text(r.shape) + ",\"data\":[";
  for (std::size_t k = 0; k < r.data.size(); ++k) {
    if (k) body += ',';
    append_number(body, r.data[k], integer);
  }
  body += "]}],\"outputs\":[{\"name\":";
  append_string(body, r.output);
  body += "}]}";
}

InferRequest parse_infer_request(std::string_view body) {
  const json j = parse_object(body, "the inference request");
  InferRequest r;
  if (const auto at = j.find("id"); at != j.end() && at->is_string()) r.id = at->get<std::string>();
  const json& inputs = member(j, "inputs", "the inference request");
  if (!inputs.is_array() || inputs.empty()) {
    throw ProtocolError("the inference request's inputs is not a non-empty array");
  }
  const json& input = inputs.front();
  const TensorSpec spec = parse_tensor_spec(input, "inputs[0]");
  if (!numeric_datatype(spec.datatype)) {
    throw ProtocolError("inputs[0].datatype " + spec.datatype + " is not a numeric type");
  }
  r.input_name = spec.name;
  r.datatype = spec.datatype;
  r.shape = spec.shape;
  const std::size_t n = element_count(r.shape, "inputs[0]");
  r.data.reserve(std::min<std::size_t>(n, body.size()));  // a value takes a byte at least
  flatten(member(input, "data", "inputs[0]"), "inputs[0]",
          [&](double v) { r.data.push_back(static_cast<float>(v)); });
  if (r.data.size() != n) {
    throw ProtocolError("inputs[0].data has " + std::to_string(r.data.size()) +
                        " values, its shape " + shape_text(r.shape) + " needs " +
                        std::to_string(n));
  }
  if (const auto at = j.find("outputs"); at != j.end() && at->is_array()) {
    for (std::size_t k = 0; k < at->size(); ++k) {
      r.outputs.push_back(text_member((*at)[k], "name", "outputs[" + std::to_string(k) + "]"));
    }
  }
  return r;
}

std::string infer_response_json(const InferResponseView& r) {
  json out{{"name", r.output->name},
           {"datatype", r.output->datatype},
           {"shape", std::vector<std::int64_t>(r.shape.begin(), r.shape.end())},
           {"data", std::vector<float>(r.data.begin(), r.data.end())}};
  json j{{"model_name", r.model_name}, {"id", r.id}, {"outputs", json::array({out})}};
  if (r.inference_s) {
    j["parameters"] = {{"tailq_inference_ns", std::llround(*r.inference_s * 1e9)}};
  }
  return j.dump();
}

InferResult parse_infer_response(std::string_view body, std::string_view name, std::size_t rows,
                                 std::span<float> scores) {
  const json j = parse_object(body, "the inference response");
  const json& outputs = member(j, "outputs", "the inference response");
  if (!outputs.is_array() || outputs.empty()) {
    throw ProtocolError("the inference response's outputs is not a non-empty array");
  }
  const json* output = &outputs.front();
  if (!name.empty()) {
    output = nullptr;
    for (const json& o : outputs) {
      if (o.is_object() && o.value("name", "") == name) output = &o;
    }
    if (!output) throw ProtocolError("the inference response has no output " + std::string(name));
  }
  const TensorSpec spec = parse_tensor_spec(*output, "outputs[0]");
  if (!numeric_datatype(spec.datatype)) {
    throw ProtocolError("the output's datatype " + spec.datatype + " is not a numeric type");
  }
  if (spec.shape.empty() || spec.shape.front() != static_cast<std::int64_t>(rows)) {
    throw ProtocolError("the output's shape " + shape_text(spec.shape) + " does not start with " +
                        "the batch's " + std::to_string(rows) + " rows");
  }
  const std::size_t n = element_count(spec.shape, "the output");
  if (n > scores.size()) {
    throw ProtocolError("the output's shape " + shape_text(spec.shape) + " holds " +
                        std::to_string(n) + " values, more than the " +
                        std::to_string(scores.size()) + " expected");
  }
  std::size_t k = 0;
  flatten(member(*output, "data", "the output"), "the output", [&](double v) {
    if (k < n) scores[k] = static_cast<float>(v);
    ++k;
  });
  if (k != n) {
    throw ProtocolError("the output's data has " + std::to_string(k) + " values, its shape " +
                        shape_text(spec.shape) + " needs " + std::to_string(n));
  }
  InferResult result;
  result.width = rows ? n / rows : 0;
  if (const auto p = j.find("parameters"); p != j.end() && p->is_object()) {
    if (const auto t = p->find("tailq_inference_ns"); t != p->end() && t->is_number()) {
      result.inference_s = t->get<double>() * 1e-9;
    }
  }
  return result;
}

std::string error_json(std::string_view message) { return json{{"error", message}}.dump(); }

std::string error_message(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return j["error"].get<std::string>();
  }
  std::string start(body.substr(0, 200));
  std::replace(start.begin(), start.end(), '\n', ' ');
  return start;
}

}  // namespace tailq::remote
