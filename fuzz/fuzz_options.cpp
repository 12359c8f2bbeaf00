// Every option value that tailq parses from text: deadlines, round ranges and lists, guarantees,
// sleep laws, time kinds, scenarios, schedules, time models, metric names, and `tailq run`'s
// CPU lists, durations, rates, rate sweeps and times. The input is tried with each parser.
#include <string>

#include "collect/sleep_workload.hpp"
#include "fuzz_util.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/density.hpp"
#include "tailq/guarantee.hpp"
#include "tailq/import.hpp"
#include "tailq/metric.hpp"
#include "tailq/options.hpp"
#include "tailq/predict.hpp"
#include "tailq/run.hpp"
#include "tailq/thresholds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  const std::string text(fuzz::as_text(data, size));
  fuzz::expect_clean([&] {
    for (const ThresholdSpec& s : parse_thresholds(text)) {
      if (!(s.value >= 0) || s.value == __builtin_inf()) __builtin_trap();
    }
  });
  fuzz::expect_clean([&] {
    TraceAnalysisOptions options;
    parse_round_range(text, options);
    if (options.last_round <= options.first_round) __builtin_trap();
  });
  fuzz::expect_clean([&] { parse_round_list(text); });
  fuzz::expect_clean([&] { parse_sleep_law(text); });
  fuzz::expect_clean([&] { parse_time_kind(text); });
  fuzz::expect_clean([&] { parse_scenario(text); });
  fuzz::expect_clean([&] { parse_schedule(text); });
  fuzz::expect_clean([&] { parse_time_model(text); });
  fuzz::expect_clean([&] { parse_bandwidth_selector(text); });
  fuzz::expect_clean([&] {
    Outcomes outcomes;
    outcomes.labels = {"a", "b"};
    outcomes.predictions = {"a b", ""};
    make_metric(text, outcomes);
  });
  fuzz::expect_clean([&] {
    for (int cpu : parse_cpu_list(text)) {
      if (cpu < 0 || cpu >= 1024) __builtin_trap();
    }
  });
  fuzz::expect_clean([&] {
    const GuaranteeRequest g = parse_guarantee(text);
    if (!(g.coverage > 0 && g.coverage < 1 && g.confidence > 0 && g.confidence < 1)) {
      __builtin_trap();
    }
    rounds_needed(g);
  });
  fuzz::expect_clean([&] { parse_duration(text); });
  fuzz::expect_clean([&] { parse_rate(text); });
  fuzz::expect_clean([&] { parse_rate_list(text); });
  fuzz::expect_clean([&] {
    if (parse_rate_sweep(text).size() > 1000) __builtin_trap();
  });
  fuzz::expect_clean([&] { parse_time_value(text); });
  return 0;
}
