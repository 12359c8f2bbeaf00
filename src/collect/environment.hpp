// What the measuring machine is, for the trace, and what about it adds noise (as Google
// Benchmark warns about CPU scaling).
#pragma once

#include <string>
#include <vector>

namespace tailq::detail {

struct Environment {
  std::string json;                   // a JSON object for Experiment::system_json
  std::vector<std::string> warnings;  // noisy set-up, one line each
};

Environment capture_environment(const std::string& backend_description, unsigned threads,
                                const std::vector<int>& pinned_cpus);

// This machine's name (uname's nodename, as the system description's "hostname" says it).
std::string host_name();

}  // namespace tailq::detail
