// Trace.analyze / fit / converge / predict / report and tailq.compare: the options of the CLI,
// parsed by the same library functions, and results made by the same JSON producers, so a
// result is exactly json.loads of the CLI's --json output. Per-round quality arrays of
// analyze() become numpy arrays over the C++ result, which they keep alive (no copy).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/fit.hpp"
#include "tailq/html_report.hpp"
#include "tailq/predict.hpp"
#include "tailq/report.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq::python {
namespace {

// "p90,p99" or a sequence such as ["p90", 0.004, "4ms"] (numbers are seconds, written with
// their unit, as the command line wants them: "0.004s").
std::string thresholds_text(py::handle thresholds) {
  if (py::isinstance<py::str>(thresholds)) return thresholds.cast<std::string>();
  std::string text;
  for (py::handle item : py::iter(thresholds)) {
    if (!text.empty()) text += ',';
    text +=
        py::isinstance<py::str>(item)
            ? item.cast<std::string>()
            : py::repr(py::float_(py::reinterpret_borrow<py::object>(item))).cast<std::string>() +
                  "s";
  }
  return text;
}

// None, "A:B" (as --rounds) or a pair (A, B) where either may be None.
void round_range(py::handle rounds, TraceAnalysisOptions& options) {
  if (rounds.is_none()) return;
  if (py::isinstance<py::str>(rounds)) {
    parse_round_range(rounds.cast<std::string>(), options);
    return;
  }
  const auto pair = py::reinterpret_borrow<py::sequence>(rounds);
  if (!py::isinstance<py::sequence>(rounds) || py::len(pair) != 2) {
    input_error("rounds: \"A:B\" or a pair (A, B): measured rounds A to B - 1, from 0");
  }
  auto part = [](py::handle h) { return h.is_none() ? std::string() : std::string(py::str(h)); };
  parse_round_range(part(pair[0]) + ":" + part(pair[1]), options);
}

// Quality differences and shares are fractions in Python (0.005, 0.95), as in every result.
PrecisionGoal precision_goal(double epsilon, double confidence, double bad_round) {
  const PrecisionGoal goal{epsilon, confidence, bad_round};
  check(goal);
  return goal;
}

py::object analyze(const NativeTrace& self, const std::string& time, py::handle thresholds,
                   std::size_t sweep, bool sweep_trim_outliers, const std::string& metric,
                   py::handle rounds, unsigned threads, const std::string& guarantee,
                   double confidence, double bad_round, double epsilon, bool arrays) {
  const auto reader = self.open();
  TraceAnalysisOptions o;
  o.time = parse_time_kind(time);
  o.metric = metric;
  o.request.thresholds = parse_thresholds(thresholds_text(thresholds));
  o.request.sweep = sweep;
  o.request.sweep_trim_outliers = sweep_trim_outliers;
  o.request.threads = threads;
  round_range(rounds, o);
  if (!guarantee.empty()) o.guarantee = parse_guarantee(guarantee);
  o.precision = precision_goal(epsilon, confidence, bad_round);
  std::shared_ptr<const TailQuality> result;
  {
    py::gil_scoped_release release;
    result = std::make_shared<const TailQuality>(analyze_trace(*reader, o));
  }
  py::object d = json_to_python(to_json(*result));
  if (arrays) {
    py::list items = d["thresholds"];
    for (std::size_t k = 0; k < result->thresholds.size(); ++k) {
      const ThresholdQuality& t = result->thresholds[k];
      py::object item = items[k];
      item["per_round"] =
          array_over(t.per_round.data(), {static_cast<py::ssize_t>(t.per_round.size())}, result);
      item["per_round_late_fraction"] =
          array_over(t.per_round_late_fraction.data(),
                     {static_cast<py::ssize_t>(t.per_round_late_fraction.size())}, result);
    }
  }
  return d;
}

}  // namespace

void bind_analysis(py::class_<NativeTrace>& cls) {
  using namespace pybind11::literals;
  cls.def("analyze", &analyze, py::kw_only(), "time"_a = "total",
          "thresholds"_a = std::string(kDefaultAnalysisThresholds), "sweep"_a = 0,
          "sweep_trim_outliers"_a = false, "metric"_a = "", "rounds"_a = py::none(),
          "threads"_a = 0, "guarantee"_a = "", "confidence"_a = PrecisionGoal{}.confidence,
          "bad_round"_a = PrecisionGoal{}.bad_round, "epsilon"_a = PrecisionGoal{}.epsilon,
          "arrays"_a = true,
          R"doc(Tail latency and Q@T per deadline: `tailq analyze --json` as a dict.

The options are those of the CLI (metric "" is the trace's default; rounds "A:B" or (A, B);
guarantee "99%:95%" adds the distribution-free bound per deadline, as --guarantee).
"precision" holds per deadline the mean and bad-round Q@T with intervals valid for dependent
rounds, all together at `confidence` (a fraction, 0.95); bad_round is the quantile (0.05) and
epsilon (0.01 = 1 point) the half-width a deadline must reach to count as precise.
With arrays=True the per-round lists "per_round" and "per_round_late_fraction" are float64
numpy arrays (no copy); with arrays=False the dict equals json.loads of the CLI's output.)doc");
  cls.def(
      "fit",
      [](const NativeTrace& self, const std::string& time, std::size_t slowest, unsigned threads) {
        const auto reader = self.open();
        FitRequest r;
        r.time = parse_time_kind(time);
        r.slowest = slowest;
        r.threads = threads;
        std::string json;
        {
          py::gil_scoped_release release;
          json = to_json(describe_trace(*reader, r));
        }
        return json_to_python(json);
      },
      py::kw_only(), "time"_a = "total", "slowest"_a = 10, "threads"_a = 0,
      "Time statistics, pooled and per instance: `tailq fit --json` as a dict.");
  const ConvergenceSettings defaults;
  const PrecisionGoal goal;
  cls.def(
      "converge",
      [](const NativeTrace& self, const std::string& stop, std::size_t fit_every,
         std::size_t window, double tau, const std::string& schedule, std::size_t instances,
         double epsilon, double confidence, double bad_round, py::handle thresholds,
         const std::string& time, const std::string& metric) {
        const auto reader = self.open();
        std::string json;
        StopRule rule = StopRule::rjsd;
        try {
          rule = parse_stop_rule(stop);
        } catch (const InputError& e) {
          throw OptionError("stop", e.what());
        }
        if (rule == StopRule::precision) {
          TraceAnalysisOptions o;
          o.time = parse_time_kind(time);
          o.metric = metric;
          o.request.thresholds = parse_thresholds(thresholds_text(thresholds));
          o.precision = precision_goal(epsilon, confidence, bad_round);
          py::gil_scoped_release release;
          json = to_json(replay_precision(*reader, o));
        } else {
          ConvergenceSettings s;
          s.fit_every = fit_every;
          s.window = window;
          s.tau = tau;
          s.schedule = parse_schedule(schedule);
          py::gil_scoped_release release;
          json = to_json(replay_convergence(*reader, s, instances));
        }
        return json_to_python(json);
      },
      py::kw_only(), "stop"_a = "rjsd", "fit_every"_a = defaults.fit_every,
      "window"_a = defaults.window, "tau"_a = defaults.tau, "schedule"_a = "sliding",
      "instances"_a = 0, "epsilon"_a = goal.epsilon, "confidence"_a = goal.confidence,
      "bad_round"_a = goal.bad_round, "thresholds"_a = std::string(kDefaultPrecisionThresholds),
      "time"_a = "total", "metric"_a = "",
      R"doc(A stop rule replayed over the measured rounds: `tailq converge --json` as a dict.

stop="rjsd" (fit_every, window, tau, schedule, instances) or "precision" (epsilon, confidence,
bad_round as fractions, thresholds, time, metric): the look at which the precision rule first
held ("stopped_at_round") and the intervals there.)doc");
  cls.def(
      "predict",
      [](const NativeTrace& self, const std::string& time, py::handle thresholds,
         std::size_t holdout, std::size_t simulations, const std::string& model,
         const std::string& metric, std::uint64_t seed, unsigned threads) {
        const auto reader = self.open();
        PredictionRequest r;
        r.time = parse_time_kind(time);
        r.thresholds = parse_thresholds(thresholds_text(thresholds));
        r.holdout = holdout;
        r.simulations = simulations;
        if (model != "both") r.models = {parse_time_model(model)};
        r.metric = metric;
        r.seed = seed;
        r.threads = threads;
        std::string json;
        {
          py::gil_scoped_release release;
          json = to_json(predict_trace(*reader, r));
        }
        return json_to_python(json);
      },
      py::kw_only(), "time"_a = "total", "thresholds"_a = std::string(kDefaultPredictionThresholds),
      "holdout"_a = 0, "simulations"_a = 1000, "model"_a = "both", "metric"_a = "", "seed"_a = 1,
      "threads"_a = 0,
      "Monte Carlo Q@T checked on held-out rounds: `tailq predict --json` as a dict.");
  cls.def(
      "report",
      [](const NativeTrace& self, const std::filesystem::path& output, std::size_t sweep,
         unsigned threads) {
        if (sweep < 2 || sweep > 10000) input_error("sweep: 2 to 10000 points");
        const auto reader = self.open();
        HtmlReportOptions o;
        o.sweep = sweep;
        o.threads = threads;
        {
          py::gil_scoped_release release;
          write_html_report(*reader, output, o);
        }
        return output;
      },
      "output"_a = "report.html", py::kw_only(), "sweep"_a = 100, "threads"_a = 0,
      "Writes the HTML report of `tailq report` and returns its path.");
}

}  // namespace tailq::python
