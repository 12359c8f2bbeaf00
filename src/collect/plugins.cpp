// Loading plug-ins (tailq/plugin.hpp).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <system_error>

#include "tailq/error.hpp"
#include "tailq/plugin.hpp"

namespace tailq {
namespace {

std::mutex g_mutex;
// Plug-ins stay loaded for the life of the process: their code may run until exit (a model
// framework's thread pools, static destructors), and unloading them saves nothing that matters.
std::map<std::filesystem::path, const PluginTable*>& loaded() {
  static std::map<std::filesystem::path, const PluginTable*> tables;
  return tables;
}

std::string one_line(const char* text) {
  std::string s = text ? text : "unknown error";
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::filesystem::path program_directory() {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

const PluginTable& load_plugin(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  const std::lock_guard lock(g_mutex);
  if (const auto at = loaded().find(absolute); at != loaded().end()) return *at->second;
  if (!std::filesystem::exists(absolute, error)) {
    throw InputError(path.string() + ": no such plug-in file");
  }
  void* handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    throw InputError(path.string() + ": cannot load the plug-in: " + one_line(dlerror()));
  }
  using Entry = const PluginTable* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "tailq_plugin"));
  if (!entry) {
    dlclose(handle);
    throw InputError(path.string() +
                     ": not a tailq plug-in (it exports no tailq_plugin(); see TAILQ_PLUGIN in "
                     "tailq/plugin.hpp)");
  }
  const PluginTable* table = entry();
  if (!table) {
    throw InputError(path.string() + ": its tailq_plugin() returned no table");
  }
  if (table->abi != kPluginAbi) {
    throw InputError(path.string() + ": built for tailq's plug-in interface version " +
                     std::to_string(table->abi) + ", this tailq has version " +
                     std::to_string(kPluginAbi) + "; rebuild it against this tailq's headers");
  }
  loaded().emplace(absolute, table);
  return *table;
}

std::vector<std::filesystem::path> plugin_directories() {
  std::vector<std::filesystem::path> dirs;
  if (const char* list = std::getenv("TAILQ_PLUGIN_PATH")) {
    std::string rest = list;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string::npos) break;
      rest.erase(0, colon + 1);
    }
  }
  if (const auto here = program_directory(); !here.empty()) {
    dirs.push_back(here / "plugins");
    dirs.push_back(here.parent_path() / "lib" / "tailq" / "plugins");
  }
  dirs.emplace_back(TAILQ_INSTALL_PLUGIN_DIR);
  dirs.emplace_back(TAILQ_BUILD_PLUGIN_DIR);
  return dirs;
}

const PluginTable& builtin_plugin(const std::string& name) {
  const std::string file = "libtailq-" + name + ".so";
  std::string looked;
  for (const auto& dir : plugin_directories()) {
    std::error_code error;
    if (std::filesystem::exists(dir / file, error)) return load_plugin(dir / file);
    looked += (looked.empty() ? "" : ", ") + dir.string();
  }
  throw InputError("the " + name + " plug-in (" + file + ") is not installed: looked in " +
                   looked + " (it is built when its libraries are found; set TAILQ_PLUGIN_PATH " +
                   "to add a folder)");
}

std::string builtin_runner_for(const std::filesystem::path& model) {
  const std::string ext = model.extension().string();
  if (ext == ".pt" || ext == ".pth" || ext == ".torchscript") return "torch";
  if (ext == ".onnx") return "opencv";
  return "";
}

}  // namespace tailq
