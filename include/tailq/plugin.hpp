// Plug-ins: shared libraries that give `tailq run` model runners and whole workloads, loaded only
// when a run needs them. The core (the command and the library) links no model framework, so a
// command that runs no model starts in milliseconds. tailq's own runners are plug-ins too:
// libtailq-torch.so (TorchScript), libtailq-opencv.so (ONNX through OpenCV's DNN module),
// libtailq-ocr.so (Tesseract on generated text lines and pages) and libtailq-remote.so (models on
// an inference server, and tailq serve).
//
// Writing one: implement Backend (and, for a whole workload, Dataset) from tailq/harness.hpp,
// fill a PluginTable, and export it with TAILQ_PLUGIN; build it against the installed headers
// and library (find_package(tailq), target tailq::tailq) as a MODULE library, and run it with
// `tailq run --plugin ./libmine.so`. A plug-in is used by the thread that runs its workload; with
// `--workers W` the load scenarios make W workloads (replicas 0..W-1), each used by one worker
// thread of its own, so a plug-in need not be thread-safe across replicas unless they share state.
//
// Compatibility: plug-ins exchange C++ types with tailq (std::string, std::unique_ptr, the
// interfaces of harness.hpp, RunSettings), so a plug-in must be built with the same compiler
// family and standard library and against the headers of the same interface version. The loader
// refuses one built for another kPluginAbi, with one line naming both versions.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tailq/harness.hpp"
#include "tailq/run.hpp"
#include "tailq/serve.hpp"

namespace tailq {

// Raised whenever a change to harness.hpp, run.hpp (RunSettings, Workload) or this header would
// break a plug-in built before it. 2: Dataset::answers() (detections) and
// RunSettings::textdet_pages. 3: BatchOutput's failure and reported inference time, the remote
// settings of RunSettings, and PluginTable's make_remote_backend and serve. 4: ServeSettings'
// protocol (gRPC).
inline constexpr int kPluginAbi = 4;

// One model file to load for one worker.
struct ModelRequest {
  std::filesystem::path model;
  unsigned threads = 1;  // the backend's intra-op threads
  unsigned replica = 0;  // which concurrent worker (0: the first)
};

// What a plug-in offers. `abi` stays the first member in every version, so that the loader can
// read it from a plug-in of any version.
struct PluginTable {
  int abi = kPluginAbi;
  const char* name = "";         // e.g. "torch"
  const char* description = "";  // one line, e.g. "TorchScript models on the CPU with LibTorch"
  // Model files it runs, by extension including the dot (".pt"), ending with nullptr; the
  // factory loads one for one worker (throws InputError naming the file when it cannot).
  const char* const* model_extensions = nullptr;
  std::unique_ptr<Backend> (*make_backend)(const ModelRequest& request) = nullptr;
  // Whole workloads (their own Dataset and Backend) by name, ending with nullptr; the factory
  // makes one for the given worker from the run's settings (throws InputError on bad ones).
  const char* const* workloads = nullptr;
  Workload (*make_workload)(const RunSettings& settings, unsigned replica) = nullptr;
  // A Backend for a model that a server runs (RunSettings::server), for one worker: tailq's
  // remote plug-in (docs/serving.md). Throws InputError when the server cannot be used.
  std::unique_ptr<Backend> (*make_remote_backend)(const RunSettings& settings,
                                                  unsigned replica) = nullptr;
  // Serves a workload's model over the network until `stop` is set (tailq/serve.hpp).
  void (*serve)(const ServeSettings& settings, const std::atomic<bool>& stop) = nullptr;
};

// Loads the plug-in at `path` once per process (later calls return the same table; it stays
// loaded). Throws InputError when it cannot be loaded, exports no table, or was built for
// another kPluginAbi.
const PluginTable& load_plugin(const std::filesystem::path& path);

// One of tailq's own plug-ins by name ("torch", "opencv", "ocr", "remote"), looked up as
// libtailq-NAME.so in plugin_directories(). Throws InputError saying where it looked.
const PluginTable& builtin_plugin(const std::string& name);

// Where tailq's own plug-ins are looked for, in order: each folder of $TAILQ_PLUGIN_PATH
// (separated by ':'), the folder `plugins` beside the running program, `../lib/tailq/plugins`
// from it (an installed tailq), the installation's plug-in folder, and the build tree's.
std::vector<std::filesystem::path> plugin_directories();

// The plug-in of tailq's own that runs models with this extension (".pt": "torch", ".onnx":
// "opencv"), or empty.
std::string builtin_runner_for(const std::filesystem::path& model);

}  // namespace tailq

// Exports a plug-in's table; use once, at namespace scope, in the plug-in's library.
#define TAILQ_PLUGIN(table)                                                                      \
  extern "C" __attribute__((visibility("default"))) const ::tailq::PluginTable* tailq_plugin() { \
    return &(table);                                                                             \
  }
