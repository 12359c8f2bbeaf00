// What every rank of an MPI job must share with rank 0 (docs/multi-node.md): its command line
// and its workload. Rank 0 names the first difference, with the rank. Private to src/collect.
#pragma once

#include <string>
#include <vector>

#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq::detail {

// What a rank's command line asks for, in one form for comparing.
struct Command {
  std::string host, trace;
  bool resume = false;
  GivenOptions given;  // sorted by key
};
std::string encode(const Command& c);
Command decode(const std::string& bytes);

// "rank 1 (node7)".
std::string rank_name(int r, const std::string& host);

// Refuses (OptionError) a rank whose command differs from rank 0's, naming the first difference.
void require_same_command(const Command& lead, const Command& other, int r);

// What must be the same of every rank's workload (what it measures and how it is scored), with
// the rank's environment warnings; rank 0 refuses a rank whose workload differs (InputError)
// and gathers its warnings, named by the rank.
std::string workload_identity(const Workload& w, const std::vector<std::string>& warnings);
void require_same_workload(const std::string& lead, const std::string& other, int r,
                           const std::string& host, std::vector<std::string>& warnings);

}  // namespace tailq::detail
