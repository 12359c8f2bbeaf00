#include "collect/environment.hpp"

#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace tailq::detail {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

}  // namespace

Environment capture_environment(const std::string& backend_description, unsigned threads,
                                const std::vector<int>& pinned_cpus) {
  nlohmann::ordered_json j;
  Environment env;
  j["cpu_model"] = cpu_model();
  j["cores"] = std::thread::hardware_concurrency();
  const std::string cpufreq = "/sys/devices/system/cpu/cpu0/cpufreq/";
  const std::string governor = first_line(cpufreq + "scaling_governor");
  j["governor"] = governor.empty() ? nullptr : nlohmann::ordered_json(governor);
  const std::string min_khz = first_line(cpufreq + "scaling_min_freq");
  const std::string max_khz = first_line(cpufreq + "scaling_max_freq");
  j["frequency_khz"] = {{"min", min_khz.empty() ? nullptr : nlohmann::ordered_json(min_khz)},
                        {"max", max_khz.empty() ? nullptr : nlohmann::ordered_json(max_khz)}};
  if (!governor.empty() && governor != "performance") {
    env.warnings.push_back("CPU frequency governor is '" + governor +
                           "', not 'performance': times will vary with the clock");
  }
  utsname u{};
  if (uname(&u) == 0) {
    j["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
    j["hostname"] = u.nodename;
  }
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) > 0) {
    j["load_average"] = {load[0], load[1], load[2]};
    const double cores = std::max(1u, std::thread::hardware_concurrency());
    // Over three quarters of the cores busy before the run starts: others compete with it.
    if (load[0] > 0.75 * cores) {
      env.warnings.push_back("load average " + std::to_string(load[0]).substr(0, 4) + " on " +
                             std::to_string(static_cast<int>(cores)) +
                             " cores: other processes compete with the measurement");
    }
  }
#if defined(__clang__)
  j["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  j["compiler"] = std::string("gcc ") + __VERSION__;
#endif
  j["sqlite"] = sqlite3_libversion();
  j["tailq"] = TAILQ_VERSION;
  j["backend"] = backend_description;
  j["intra_op_threads"] = threads;
  j["pinned_cpus"] = pinned_cpus;
  j["started_unix_s"] =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  j["warnings"] = env.warnings;
  env.json = j.dump();
  return env;
}

std::string host_name() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.nodename) : std::string();
}

}  // namespace tailq::detail
