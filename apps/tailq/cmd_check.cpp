// tailq check: verify a trace (schema, checksums, consistency) and list what is wrong.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "tailq/check.hpp"

namespace tailq::cli {

void add_check_command(CLI::App& app) {
  struct Options {
    std::string trace;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Verify a trace: schema, per-round checksums, consistency (exit 2 if corrupt)");
  cmd->add_option("trace", o->trace, "trace file")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] {
    const TraceCheck check = check_trace(o->trace);
    if (o->json) {
      std::cout << to_json(check) << "\n";
    } else if (check.ok()) {
      std::cout << fmt::format(
          "{}: ok: schema version {}, {} rounds ({} measured), {} instances in {} batches, {}\n",
          o->trace, check.schema_version, check.rounds, check.measured_rounds, check.instances,
          check.batches,
          check.unchecked_rounds == 0
              ? std::string("every checksum matches")
              : fmt::format("{} rounds written by schema version 1 carry no checksum",
                            check.unchecked_rounds));
    } else {
      for (const std::string& problem : check.problems) {
        std::cout << o->trace << ": " << problem << "\n";
      }
      if (check.problem_count > check.problems.size()) {
        std::cout << fmt::format("{}: ... and {} more problems\n", o->trace,
                                 check.problem_count - check.problems.size());
      }
    }
    if (!check.ok()) throw ExitCode{2};
  });
}

}  // namespace tailq::cli
