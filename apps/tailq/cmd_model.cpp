// Time-model subcommands: converge, fit, predict.
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/options.hpp"
#include "tailq/predict.hpp"
#include "tailq/report.hpp"
#include "tailq/run.hpp"
#include "tailq/shards.hpp"

namespace tailq::cli {

namespace {

struct ConvergeOptions {
  std::string trace;
  std::string stop = "rjsd";
  std::string schedule = "sliding";
  ConvergenceSettings settings;
  std::size_t instances = 0;
  std::string epsilon = "1", confidence = "95%", bad_round = "5";
  std::string thresholds{kDefaultPrecisionThresholds}, time = "total", metric;
  double load = 0;
  bool json = false;
};

PrecisionReplay replay_by_precision(const ConvergeOptions& o, Shards& shards) {
  const TraceReader trace(o.trace);
  TraceAnalysisOptions options;
  options.time = parse_time_kind(o.time);
  options.metric = o.metric;
  options.request.thresholds = parse_deadlines(o.thresholds);
  if (o.load > 0) options.offered_qps = o.load;
  if (is_load_trace(trace) && !options.offered_qps) {
    throw InputError(o.trace +
                     ": the precision rule holds for the rounds of one load: add "
                     "--load QPS");
  }
  options.precision =
      PrecisionGoal{with_flag("--epsilon", [&] { return parse_points(o.epsilon); }),
                    with_flag("--confidence", [&] { return parse_share(o.confidence); }),
                    with_flag("--bad-round", [&] { return parse_percentage(o.bad_round); })};
  return replay_precision(trace, options, shards);
}

}  // namespace

void add_converge_command(CLI::App& app) {
  using Options = ConvergeOptions;
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "converge", "Replay a trace's rounds through a stop rule (rJSD or the precision rule)");
  cmd->add_option("trace", o->trace, "trace file")->required();
  CLI::Option* stop_option =
      cmd->add_option("--stop", o->stop,
                      "rjsd: the time distribution's convergence; precision: intervals of the "
                      "mean and bad-round Q@T within +-epsilon; an option of one rule alone "
                      "picks it")
          ->capture_default_str();
  NamedOptions rjsd, precision;
  rjsd.emplace_back("--fit-every",
                    cmd->add_option("--fit-every", o->settings.fit_every,
                                    "rjsd: fit a KDE every N measured rounds")
                        ->capture_default_str()
                        ->check(count_at_least(1)));
  rjsd.emplace_back("--window", cmd->add_option("--window", o->settings.window,
                                                "rjsd: compare with this many earlier fits")
                                    ->capture_default_str()
                                    ->check(count_at_least(1)));
  rjsd.emplace_back("--tau", cmd->add_option("--tau", o->settings.tau,
                                             "rjsd: converged when rJSD <= tau")
                                 ->capture_default_str()
                                 ->check(number_in(0)));
  rjsd.emplace_back("--schedule", cmd->add_option("--schedule", o->schedule,
                                                  "rjsd: sliding (rJSD at every fit) or paper "
                                                  "(at every window-th fit)")
                                      ->capture_default_str());
  rjsd.emplace_back("--instances", cmd->add_option("--instances", o->instances,
                                                   "rjsd: also track this many instances "
                                                   "(evenly spaced), report the share converged")
                                       ->check(count_at_least(0)));
  precision.emplace_back("--epsilon", cmd->add_option("--epsilon", o->epsilon,
                                                      "precision: half-width goal in points")
                                          ->capture_default_str());
  precision.emplace_back(
      "--confidence", cmd->add_option("--confidence", o->confidence,
                                      "precision: confidence of all intervals together")
                          ->capture_default_str());
  precision.emplace_back("--bad-round",
                         cmd->add_option("--bad-round", o->bad_round,
                                         "precision: the bad round's percentile of Q@T")
                             ->capture_default_str());
  precision.emplace_back("--thresholds", cmd->add_option("--thresholds", o->thresholds,
                                                         "precision: deadlines to certify")
                                             ->capture_default_str());
  precision.emplace_back(
      "--time", cmd->add_option("--time", o->time, "precision: inference | total")
                    ->capture_default_str());
  precision.emplace_back("--metric", cmd->add_option("--metric", o->metric,
                                                     "precision: metric (default: the trace's)"));
  precision.emplace_back(
      "--load", cmd->add_option("--load", o->load,
                                "precision: load traces: the rounds run at this offered load")
                    ->check(number_in(0)));
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, rjsd, precision, stop_option] {
    const bool by_precision =
        pick_stop_rule(o->stop, stop_option, precision, rjsd) == StopRule::precision;
    if (by_precision) {
      // Every look's analysis is shared between the ranks (docs/multi-node.md).
      std::optional<PrecisionReplay> replay;
      const bool lead =
          run_shared([&](Shards& shards) { replay = replay_by_precision(*o, shards); });
      if (!lead) return;
      if (o->json) {
        std::cout << to_json(*replay) << "\n";
      } else {
        write_table(std::cout, *replay);
      }
      return;
    }
    o->settings.schedule = parse_schedule(o->schedule);
    ConvergenceReport report;
    const bool lead = run_shared([&](Shards& shards) {
      report = replay_convergence(TraceReader(o->trace), o->settings, o->instances, shards);
    });
    if (!lead) return;  // rank 0 of `mpirun -np K tailq converge` prints the answer
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
      ->capture_default_str()
      ->check(count_at_least(0));
  cmd->add_option("--threads", o->request.threads, "worker threads (0: one per core)")
      ->check(count_at_least(0));
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
  cmd->add_option("--holdout", o->request.holdout,
                  "measured rounds held out (the last H; 0: 30, at most a third of the trace)")
      ->capture_default_str()
      ->check(count_at_least(0));
  cmd->add_option("--simulations", o->request.simulations, "simulated rounds")
      ->capture_default_str()
      ->check(count_at_least(1));
  cmd->add_option("--model", o->model, "independent | round-effect | both")->capture_default_str();
  cmd->add_option("--metric", o->request.metric, "metric (default: the trace's)");
  cmd->add_option("--seed", o->request.seed, "random seed")->capture_default_str()->check(count_at_least(0));
  cmd->add_option("--threads", o->request.threads, "worker threads (0: one per core)")
      ->check(count_at_least(0));
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] {
    PredictionRequest& r = o->request;
    r.time = parse_time_kind(o->time);
    r.thresholds = parse_deadlines(o->thresholds);
    if (o->model != "both") r.models = {parse_time_model(o->model)};
    PredictionReport report;
    const bool lead = run_shared([&](Shards& shards) {
      const TraceReader trace(o->trace);
      report = predict_trace(trace, r, shards);
    });
    if (!lead) return;  // rank 0 of `mpirun -np K tailq predict` prints the answer
    if (o->json) {
      std::cout << to_json(report) << "\n";
    } else {
      write_table(std::cout, report);
    }
  });
}

}  // namespace tailq::cli
