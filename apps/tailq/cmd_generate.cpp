#include <iostream>

#include "commands.hpp"
#include "tailq/output_path.hpp"
#include "tailq/synthetic.hpp"

namespace tailq::cli {

void add_generate_command(CLI::App& app) {
  struct Options {
    SyntheticSpec spec;
    std::string output;
    std::uint64_t time_seed = 0;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  SyntheticSpec& s = options->spec;
  CLI::App* cmd = app.add_subcommand(
      "generate", "Write a synthetic trace (demo and benchmarks; no model is run)");
  cmd->add_option("--rounds", s.rounds, "measured rounds")
      ->capture_default_str()
      ->check(count_at_least(1));
  cmd->add_option("--warmup-rounds", s.warmup_rounds, "warm-up rounds")
      ->capture_default_str()
      ->check(count_at_least(0));
  cmd->add_option("--instances", s.instances, "instances")
      ->capture_default_str()
      ->check(count_at_least(1));
  cmd->add_option("--batch-size", s.batch_size, "instances per batch")
      ->capture_default_str()
      ->check(count_at_least(1));
  cmd->add_option("--classes", s.classes, "classes")
      ->capture_default_str()
      ->check(number_in(2, 1000000, true));
  cmd->add_option("--accuracy", s.accuracy, "top-1 accuracy")
      ->capture_default_str()
      ->check(number_in(0.0, 1.0));
  cmd->add_option("--round-drift", s.round_drift, "sd of a factor shared by a round's batches")
      ->capture_default_str()
      ->check(number_in(0.0, 0.5));
  cmd->add_option("--round-phi", s.round_phi,
                  "lag-1 autocorrelation of the round factor (AR(1); 0: independent rounds)")
      ->capture_default_str()
      ->check(number_in(0.0, 0.999));
  cmd->add_option("--time-seed", options->time_seed,
                  "draw the times from their own stream of this seed (same instances, new times)")
      ->check(count_at_least(0));
  cmd->add_option("--stall-probability", s.stall_probability, "chance of a stalled batch")
      ->capture_default_str()
      ->check(number_in(0.0, 1.0));
  cmd->add_option("--seed", s.seed, "random seed")->capture_default_str()->check(count_at_least(0));
  cmd->add_option("-o,--output", options->output, "trace file to create")->required();
  cmd->add_flag("--force", options->force, "replace an existing trace");
  cmd->callback([options, cmd] {
    check_output_path(options->output, {.overwrite = options->force});
    if (cmd->count("--time-seed") > 0) options->spec.time_seed = options->time_seed;
    generate_synthetic_trace(options->spec, options->output, options->force);
    std::cout << "wrote " << options->output << "\n";
  });
}

}  // namespace tailq::cli
