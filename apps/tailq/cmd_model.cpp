// Time-model subcommands: converge, fit, predict.
#include <iostream>

#include "commands.hpp"
#include "tailq/convergence.hpp"
#include "tailq/fit.hpp"
#include "tailq/predict.hpp"
#include "tailq/report.hpp"

namespace tailq::cli {

void add_converge_command(CLI::App& app) {
  struct Options {
    std::string trace;
    std::string schedule = "sliding";
    ConvergenceSettings settings;
    std::size_t instances = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "converge", "Replay a trace's rounds through the rJSD convergence criterion");
  cmd->add_option("trace", o->trace, "trace file")->required();
  cmd->add_option("--fit-every", o->settings.fit_every, "fit a KDE every N measured rounds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--window", o->settings.window, "compare with this many earlier fits")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tau", o->settings.tau, "converged when rJSD <= tau")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--schedule", o->schedule,
                  "sliding: rJSD at every fit; paper: at every window-th fit")
      ->capture_default_str();
  cmd->add_option("--instances", o->instances,
                  "also track this many instances (evenly spaced) and report the fraction "
                  "converged");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] {
    o->settings.schedule = parse_schedule(o->schedule);
    const TraceReader trace(o->trace);
    const ConvergenceReport report = replay_convergence(trace, o->settings, o->instances);
    if (o->json) {
      std::cout << to_json(report) << "\n";
    } else {
      write_table(std::cout, report);
    }
  });
}

void add_fit_command(CLI::App& app) {
  struct Options {
    std::string trace;
    std::string time = "total";
    FitRequest request;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("fit", "Time statistics, pooled and per instance, and time vs input size");
  cmd->add_option("trace", o->trace, "trace file")->required();
  cmd->add_option("--time", o->time, "inference | total")->capture_default_str();
  cmd->add_option("--slowest", o->request.slowest, "how many slowest instances to list")
      ->capture_default_str();
  cmd->add_option("--threads", o->request.threads, "worker threads (0: one per core)");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] {
    o->request.time = parse_time_kind(o->time);
    const TraceReader trace(o->trace);
    const FitReport report = describe_trace(trace, o->request);
    if (o->json) {
      std::cout << to_json(report) << "\n";
    } else {
      write_table(std::cout, report);
    }
  });
}

void add_predict_command(CLI::App& app) {
  struct Options {
    std::string trace;
    std::string time = "total";
    std::string thresholds{kDefaultPredictionThresholds};
    std::string model = "both";
    PredictionRequest request;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Predict the Q@T distribution by Monte Carlo and check it on held-out rounds");
  cmd->add_option("trace", o->trace, "trace file")->required();
  cmd->add_option("--time", o->time, "inference | total")->capture_default_str();
  cmd->add_option("--thresholds", o->thresholds, "deadlines, fixed on the training rounds")
      ->capture_default_str();
  cmd->add_option("--holdout", o->request.holdout, "measured rounds held out (the last H)")
      ->capture_default_str();
  cmd->add_option("--simulations", o->request.simulations, "simulated rounds")
      ->capture_default_str();
  cmd->add_option("--model", o->model, "independent | round-effect | both")->capture_default_str();
  cmd->add_option("--metric", o->request.metric, "metric (default: the trace's)");
  cmd->add_option("--seed", o->request.seed, "random seed")->capture_default_str();
  cmd->add_option("--threads", o->request.threads, "worker threads (0: one per core)");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] {
    PredictionRequest& r = o->request;
    r.time = parse_time_kind(o->time);
    r.thresholds = parse_thresholds(o->thresholds);
    if (o->model != "both") r.models = {parse_time_model(o->model)};
    const TraceReader trace(o->trace);
    const PredictionReport report = predict_trace(trace, r);
    if (o->json) {
      std::cout << to_json(report) << "\n";
    } else {
      write_table(std::cout, report);
    }
  });
}

}  // namespace tailq::cli
