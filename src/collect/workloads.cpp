// The built-in workloads, by name.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>
#include <vector>

#include "collect/digits_dataset.hpp"
#include "collect/npy_dataset.hpp"
#include "collect/sleep_workload.hpp"
#include "tailq/error.hpp"
#include "tailq/plugin.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq {

namespace {

// The Backend that runs `model` for one worker: the plug-in named by --plugin when it runs
// this kind of file, else tailq's own runner for its extension.
std::unique_ptr<Backend> model_backend(const RunSettings& settings,
                                       const std::filesystem::path& model, unsigned replica) {
  const ModelRequest request{model, settings.threads, replica};
  if (!settings.plugin.empty()) {
    const PluginTable& mine = load_plugin(settings.plugin);
    for (auto ext = mine.model_extensions; ext && *ext; ++ext) {
      if (model.extension() == *ext && mine.make_backend) return mine.make_backend(request);
    }
  }
  const std::string runner = builtin_runner_for(model);
  if (runner.empty()) {
    throw InputError(model.string() +
                     ": no runner for this kind of model file (TorchScript .pt, ONNX .onnx, or "
                     "a plug-in's own kind)");
  }
  const PluginTable& table = builtin_plugin(runner);
  if (!table.make_backend) throw InputError("the " + runner + " plug-in runs no models");
  return table.make_backend(request);
}

// A workload that a plug-in provides whole: from --plugin, or tailq's own (ocr, textdet).
Workload plugin_workload(const PluginTable& table, const RunSettings& settings, unsigned replica) {
  for (auto name = table.workloads; name && *name; ++name) {
    if (settings.workload == *name && table.make_workload) {
      return table.make_workload(settings, replica);
    }
  }
  std::string names;
  for (auto name = table.workloads; name && *name; ++name) names += std::string(" ") + *name;
  throw InputError("the " + std::string(table.name) + " plug-in has no workload '" +
                   settings.workload + "'" + (names.empty() ? "" : " (it has:" + names + ")"));
}

// The Backend of a model that a server runs (RunSettings::server): the remote plug-in's.
std::unique_ptr<Backend> remote_backend(const RunSettings& settings, unsigned replica) {
  const PluginTable& table = builtin_plugin("remote");
  if (!table.make_remote_backend) throw InputError("the remote plug-in runs no remote models");
  return table.make_remote_backend(settings, replica);
}

// What names a served model in the trace (no file to fingerprint: --resume checks the name).
std::string remote_model(const RunSettings& settings) {
  return settings.server + " model " + settings.model_name;
}

Workload digits_workload(const RunSettings& settings, unsigned replica) {
  const std::filesystem::path model =
      settings.model.empty() ? std::filesystem::path(TAILQ_DEFAULT_DIGITS_MODEL) : settings.model;
  const std::filesystem::path data =
      settings.data.empty() ? std::filesystem::path(kDefaultDigitsPath) : settings.data;
  Workload w;
  w.dataset = std::make_unique<DigitsDataset>(data);
  if (!settings.server.empty()) {
    w.backend = remote_backend(settings, replica);
    w.model = remote_model(settings);
    return w;
  }
  w.backend = model_backend(settings, model, replica);
  w.model = model.string();
  w.model_fingerprint = file_fingerprint(model);
  return w;
}

// The number of scores `backend` gives per instance, from one inference on the first input.
// It names the classes when the user gave no names, and a model that cannot take the inputs
// fails here, before a trace exists, rather than in the first measured round.
std::size_t output_width(const std::string& model, Dataset& dataset, Backend& backend) {
  // A classifier's row of scores is far smaller; the bound only sizes the probe's buffer.
  constexpr std::size_t kMaxScores = std::size_t{1} << 22;
  Batch batch;
  std::size_t per_instance = 1;
  for (std::int64_t extent : dataset.instance_shape()) {
    per_instance *= static_cast<std::size_t>(extent);
  }
  batch.input.resize(per_instance);
  batch.shape.resize(dataset.instance_shape().size() + 1);
  const std::uint32_t first = 0;
  dataset.prepare(std::span<const std::uint32_t>(&first, 1), batch);
  BatchOutput out;
  out.scores.resize(kMaxScores);
  backend.infer(batch, out);
  backend.synchronize();
  if (!out.failure.empty())
    throw InputError(model + ": no answer to a first input: " + out.failure);
  if (out.width == 0 || out.width > kMaxScores) {
    throw InputError(model + ": gives " + std::to_string(out.width) +
                     " scores per input; expected a classifier's (batch, classes) output");
  }
  return out.width;
}

Workload model_workload(const RunSettings& settings, unsigned replica) {
  const bool remote = !settings.server.empty();
  if (settings.model.empty() && !remote) {
    throw OptionError("model", "the model workload needs a model file (or a server)");
  }
  if (settings.inputs.empty()) {
    throw OptionError("inputs", "the model workload needs an .npy file of inputs");
  }
  if (settings.labels.empty()) {
    throw OptionError("labels", "the model workload needs one label per input");
  }
  auto dataset = std::make_unique<NpyDataset>(
      ModelData{settings.inputs, settings.labels, settings.classes, settings.input_sizes});
  Workload w;
  w.backend =
      remote ? remote_backend(settings, replica) : model_backend(settings, settings.model, replica);
  w.model = remote ? remote_model(settings) : settings.model.string();
  dataset->set_output_width(output_width(w.model, *dataset, *w.backend));
  w.dataset = std::move(dataset);
  if (!remote) w.model_fingerprint = file_fingerprint(settings.model);
  return w;
}

}  // namespace

std::uint64_t file_fingerprint(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(path.string() + ": cannot read: " + std::strerror(errno));
  constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash = kOffsetBasis;
  std::vector<char> chunk(1 << 16);
  while (file) {
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::size_t got = static_cast<std::size_t>(file.gcount());
    for (std::size_t i = 0; i < got; ++i) {
      hash = (hash ^ static_cast<unsigned char>(chunk[i])) * kPrime;
    }
  }
  if (file.bad()) throw InputError(path.string() + ": cannot read: I/O error");
  return hash;
}

Workload make_workload(const RunSettings& settings, unsigned replica) {
  if (settings.workload == "sleep") {
    Workload w;
    const RoundEffect effect = settings.sleep_round_effect.empty()
                                   ? RoundEffect{}
                                   : parse_round_effect(settings.sleep_round_effect);
    SleepModel model;
    if (!settings.sleep_model.empty()) {
      model = read_sleep_model(settings.sleep_model.string());
      w.model = settings.sleep_model.string();
      w.model_fingerprint = file_fingerprint(settings.sleep_model);
    } else {
      model = {{parse_sleep_law(settings.sleep_distribution)}, {true}};
      w.model = "sleep:" + settings.sleep_distribution;
    }
    const std::size_t n =
        settings.sleep_model.empty() ? settings.sleep_instances : model.laws.size();
    w.dataset = make_sleep_dataset(n);
    w.backend = make_sleep_backend(std::move(model), settings.sleep_seed, replica, effect,
                                   settings.sleep_round_effect.empty() ? 0 : n);
    return w;
  }
  if (settings.workload == "digits") return digits_workload(settings, replica);
  if (settings.workload == "model") return model_workload(settings, replica);
  if (!settings.plugin.empty()) {
    const PluginTable& mine = load_plugin(settings.plugin);
    if (mine.workloads && *mine.workloads) return plugin_workload(mine, settings, replica);
  }
  if (settings.workload == "ocr" || settings.workload == "textdet") {
    return plugin_workload(builtin_plugin("ocr"), settings, replica);
  }
  throw OptionError("workload", "unknown workload '" + settings.workload +
                                    "' (built in: digits, model, ocr, textdet, sleep; or a "
                                    "plug-in's)");
}

}  // namespace tailq
