#include <iostream>

#include "commands.hpp"
#include "tailq/merge.hpp"
#include "tailq/output_path.hpp"

namespace tailq::cli {

void add_merge_command(CLI::App& app) {
  auto request = std::make_shared<MergeRequest>();
  auto output = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Join traces of one set-up measured separately (e.g. one per machine) into one");
  cmd->add_option("traces", request->inputs, "traces to join, in order")->required();
  cmd->add_option("-o,--output", *output, "trace file to create")->required();
  cmd->add_flag("--force", request->overwrite, "replace an existing trace");
  cmd->callback([request, output] {
    for (const auto& input : request->inputs) check_input_file(input, "trace file");
    check_output_path(*output, {.overwrite = request->overwrite});
    request->output = *output;
    const NodeMap map = merge_traces(*request);
    std::cout << "wrote " << *output << ": " << map.runs.size() << " run(s) of rounds from "
              << map.nodes.size() << " nodes\n";
    for (std::size_t n = 0; n < map.nodes.size(); ++n) {
      std::size_t rounds = 0;
      for (const NodeMap::Run& r : map.runs)
        if (r.node == n) rounds += static_cast<std::size_t>(r.last_round - r.first_round + 1);
      std::cout << "  node " << n << ": " << map.nodes[n].label() << ", " << rounds << " rounds stored\n";
    }
  });
}

}  // namespace tailq::cli
