// The HTML report: the C++ side gathers aggregated data (curves, histograms, top lists; never
// the raw times) and declarative Vega-Lite specs into one JSON document; the page only hands
// them to vega-embed.
#include "tailq/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/html_charts.hpp"
#include "report/html_load.hpp"
#include "report/html_nodes.hpp"
#include "report/html_page.hpp"
#include "report/html_report_charts.hpp"
#include "report/units.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/density.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/predict.hpp"
#include "tailq/report.hpp"
#include "tailq/stats.hpp"
#include "tailq/time_profile.hpp"

namespace tailq {
namespace {

using detail::html_escape;
using nlohmann::ordered_json;

// What a safety case can quote: the distribution-free bound of `tailq analyze --guarantee`.
std::string guarantee_paragraph(const QualityGuarantee& g) {
  if (g.deadlines.empty()) return "";
  std::string text;
  if (!g.deadlines.front().bound) {
    text = fmt::format(
        "A guarantee that {}% of rounds reach a quality, with {}% confidence, needs at least {} "
        "independent rounds; this trace has {} measured rounds, worth {:.0f} independent ones.",
        detail::percent(g.request.coverage), detail::percent(g.request.confidence), g.rounds_needed,
        g.rounds, g.deadlines.front().effective_rounds);
  } else {
    text = fmt::format("With {}% confidence, at least {}% of rounds reach ",
                       detail::percent(g.request.confidence), detail::percent(g.request.coverage));
    for (const DeadlineGuarantee& d : g.deadlines) {
      text += fmt::format("{}{}% at {}", &d == &g.deadlines.front() ? "" : ", ",
                          d.bound ? detail::percent(*d.bound) : std::string("(no bound)"),
                          html_escape(d.label));
    }
    const std::size_t r = g.deadlines.front().order;
    const char* suffix = (r % 100 >= 11 && r % 100 <= 13) ? "th"
                         : r % 10 == 1                    ? "st"
                         : r % 10 == 2                    ? "nd"
                         : r % 10 == 3                    ? "rd"
                                                          : "th";
    text += fmt::format(
        " (distribution-free: the {} of {} rounds, which count as {:.0f} independent ones).",
        r == 1 ? std::string("worst") : fmt::format("{}{} lowest", r, suffix), g.rounds,
        g.deadlines.front().effective_rounds);
  }
  return "<p>" + text + "</p>\n";
}

std::string interval_cell(const Interval& i) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) {
    return fmt::format("{:.2f} <small>(not yet bounded)</small>", 100 * i.value);
  }
  return fmt::format("{:.2f} <small>[{:.2f}, {:.2f}]</small>", 100 * i.value, 100 * i.low,
                     100 * i.high);
}

// The answer: per deadline, a typical and a bad round with their intervals, and the worst
// round seen, named as what it is.
std::string answer_table(const TailQuality& total) {
  std::string html = fmt::format(
      "<table><tr><th>deadline</th><th>ms</th><th>nominal %</th><th>typical round % (mean)</th>"
      "<th>bad round % (P{:g})</th><th>worst of {} rounds %</th><th>drop to worst (points)</th>"
      "</tr>",
      100 * total.precision->goal.bad_round, total.rounds);
  for (std::size_t k = 0; k < total.precision->deadlines.size(); ++k) {
    const DeadlinePrecision& d = total.precision->deadlines[k];
    const ThresholdQuality& t = total.thresholds[k];
    std::string ms = fmt::format("{:.4g}", 1e3 * d.seconds.value);
    if (d.seconds.low != d.seconds.high && std::isfinite(d.seconds.low) &&
        std::isfinite(d.seconds.high)) {
      ms += fmt::format(" <small>[{:.4g}, {:.4g}]</small>", 1e3 * d.seconds.low,
                        1e3 * d.seconds.high);
    }
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td></tr>",
        html_escape(d.label), ms, 100 * total.nominal_quality, interval_cell(d.mean),
        interval_cell(d.bad_round), 100 * t.quality.min,
        100 * (total.nominal_quality - t.quality.min));
  }
  html += "</table>\n<p>";
  for (const std::string& sentence : answer_sentences(*total.precision)) {
    html += html_escape(sentence) + " ";
  }
  html += fmt::format(
      "The worst round is the lowest of the {} measured; it gets lower the longer one measures, "
      "so it is shown, not certified.</p>\n",
      total.rounds);
  return html;
}

// The answer in a sentence, first on the page: at the P99 deadline, a typical and a bad round
// with their intervals, and how far the bad round falls below the nominal quality.
std::string headline(const TailQuality& total) {
  if (total.metric == kOnTimeMetric || !total.precision || total.precision->deadlines.empty()) {
    // Latency only: no quality to state, but how many answers miss the P99 deadline.
    for (const ThresholdQuality& t : total.thresholds) {
      if (t.label != "p99") continue;
      return fmt::format(
          "<p class=\"answer\"><b>At the P99 deadline ({}), {}% of answers are late in a typical "
          "round and {}% in the worst of {} measured rounds.</b></p>\n",
          detail::human_seconds(t.seconds), detail::percent(1 - t.quality.median),
          detail::percent(t.late_fraction_max), total.rounds);
    }
    return {};
  }
  const PrecisionEstimate& p = *total.precision;
  std::size_t k = 0;
  while (k + 1 < p.deadlines.size() && p.deadlines[k].label != "p99") ++k;
  const std::vector<std::string> sentences = answer_sentences(p);
  const double bad = p.deadlines[k].bad_round.value;
  return fmt::format(
      "<p class=\"answer\"><b>{}</b> That is {} points below the nominal {}% (every answer on "
      "time), over {} measured rounds.</p>\n",
      html_escape(sentences[k]), detail::percent(total.nominal_quality - bad),
      detail::percent(total.nominal_quality), total.rounds);
}

std::string slowest_table(const FitReport& fit) {
  std::string html =
      "<h2>Slowest instances</h2>\n<table><tr><th>instance</th><th>mean ms</th><th>std ms"
      "</th><th>max ms</th></tr>";
  for (const auto& s : fit.slowest) {
    html += fmt::format(
        "<tr><td>{}</td><td>{:.4g}</td><td>{}</td><td>{:.4g}</td></tr>", html_escape(s.name),
        s.stats.mean * 1e3,
        std::isfinite(s.stats.std) ? fmt::format("{:.4g}", s.stats.std * 1e3) : std::string("-"),
        s.stats.max * 1e3);
  }
  return html + "</table>\n";
}

// A latency-only trace (no outcomes): per deadline the share of instances late, over rounds;
// the curves below then show the share on time (the on-time metric).
std::string late_section(const TailQuality& total) {
  std::string html =
      "<h2>Latency only: instances late at each deadline (total time)</h2>\n<p>This trace "
      "records no outcomes, so it has no quality; the charts' Q@T is the share of instances "
      "answered on time.</p>\n<table><tr><th>deadline</th><th>ms</th><th>late % (mean)</th>"
      "<th>late % (median round)</th><th>late % (P95 round)</th><th>late % (worst round)</th></tr>";
  for (const ThresholdQuality& t : total.thresholds) {
    if (t.from_sweep) continue;
    html += fmt::format(
        "<tr><td>{}</td><td>{:.4g}</td><td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td></tr>",
        html_escape(t.label), 1e3 * t.seconds, 100 * t.late_fraction_mean,
        100 * (1 - t.quality.median), 100 * (1 - t.quality.p5), 100 * t.late_fraction_max);
  }
  return html + "</table>\n";
}

TailQuality analyse(const TraceReader& trace, TimeKind kind, const HtmlReportOptions& o) {
  TraceAnalysisOptions a;
  a.time = kind;
  a.guarantee = GuaranteeRequest{0.99, 0.95};
  a.precision = PrecisionGoal{};
  a.request.thresholds = parse_thresholds("p90,p99,p99.9");
  a.request.sweep = o.sweep;
  a.request.sweep_top = 99.9;  // the charts' time axes end there (report/html_charts.hpp)
  a.request.sweep_geometric = true;
  a.request.threads = o.threads;
  return analyze_trace(trace, a);
}

}  // namespace

std::filesystem::path default_web_modules() {
  if (const char* env = std::getenv("TAILQ_WEB_MODULES")) return env;
  return TAILQ_WEB_MODULES;
}

void write_html_report(const TraceReader& trace, const std::filesystem::path& output,
                       const HtmlReportOptions& o) {
  if (is_load_trace(trace)) return detail::write_load_report(trace, output, o);
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = detail::inline_chart_libraries(web);

  const TailQuality total = analyse(trace, TimeKind::total, o);
  const TailQuality inference = analyse(trace, TimeKind::inference, o);
  const Experiment& e = trace.experiment();
  const auto rounds = measured_rounds(trace);

  ordered_json charts = ordered_json::array();
  charts.push_back(detail::curve_chart("curve-total", "Quality-time curve, total time.", total));
  charts.push_back(
      detail::curve_chart("curve-inference", "Quality-time curve, inference time.", inference));
  charts.push_back(detail::per_round_chart(total));
  TimeProfileRequest profile_request;
  profile_request.lo = total.latency.min;
  profile_request.hi = std::max(total.latency.p99_9, total.latency.min * (1 + 1e-9));
  profile_request.geometric = detail::time_axis(profile_request.lo, profile_request.hi).log;
  const TimeProfile profile = profile_times(trace, profile_request);
  charts.push_back(detail::latency_chart(profile, total));
  charts.push_back(detail::drift_chart(profile));
  if (detail::shows_nodes(total)) charts.push_back(detail::nodes_chart(total));
  const ConvergenceReport convergence = replay_convergence(trace, ConvergenceSettings{});
  if (!convergence.rjsd.empty()) charts.push_back(detail::convergence_chart(convergence));

  // Instances: the slowest, and time against input size.
  FitRequest fit_request;
  fit_request.pooled_budget = std::size_t{1} << 22;
  fit_request.threads = o.threads;
  const FitReport fit = describe_trace(trace, fit_request);
  if (fit.mean_vs_size) charts.push_back(detail::size_chart(trace, profile, *fit.mean_vs_size));

  // Prediction against measurement, when there are rounds enough to hold some out: the measured
  // worst of the held-out rounds against the predicted worst of as many simulated rounds.
  if (rounds.size() >= 40) {
    PredictionRequest request;
    request.thresholds = parse_thresholds("p90,p99,p99.9");
    request.holdout = std::min<std::size_t>(30, rounds.size() / 4);
    request.simulations = 300;
    request.threads = o.threads;
    charts.push_back(detail::prediction_chart(predict_trace(trace, request)));
  }

  ordered_json settings = ordered_json::object();
  try {
    settings = ordered_json::parse(e.settings_json);
  } catch (const std::exception&) {
  }
  ordered_json system = ordered_json::object();
  try {
    system = ordered_json::parse(e.system_json);
  } catch (const std::exception&) {
  }
  std::size_t warmup = 0;
  for (const RoundInfo& r : trace.rounds()) warmup += r.warmup;
  std::vector<std::string> warnings = total.warnings;
  if (system.contains("warnings") && system["warnings"].is_array()) {
    for (const auto& w : system["warnings"]) {
      if (w.is_string()) warnings.push_back(w.get<std::string>());
    }
  }

  // The page: static text is escaped here; data and specs travel as JSON.
  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>tailq report: " << html_escape(e.model) << " on " << html_escape(e.dataset)
       << "</title>\n"
       << detail::kPageStyle << "</head><body>\n";
  html << "<h1>Tail quality: " << html_escape(e.model) << "</h1>\n"
       << headline(total) << "<table>"
       << "<tr><td>dataset</td><td>" << html_escape(e.dataset) << "</td></tr>"
       << "<tr><td>backend</td><td>" << html_escape(e.backend) << "</td></tr>"
       << "<tr><td>metric</td><td>" << html_escape(metric_title(total.metric)) << "</td></tr>"
       << "<tr><td>instances</td><td>" << total.instances << "</td></tr>"
       << "<tr><td>rounds</td><td>" << rounds.size() << " measured, " << warmup
       << " warm-up</td></tr>";
  for (const char* key : {"batch_size", "threads"}) {
    if (settings.contains(key)) {
      html << "<tr><td>" << key << "</td><td>" << html_escape(settings[key].dump()) << "</td></tr>";
    }
  }
  for (const char* key : {"cpu_model", "kernel", "governor"}) {
    if (system.contains(key) && system[key].is_string()) {
      html << "<tr><td>" << key << "</td><td>" << html_escape(system[key].get<std::string>())
           << "</td></tr>";
    }
  }
  html << "</table>\n";
  if (!warnings.empty()) {
    html << "<div id=\"warnings\" style=\"border:2px solid #a40;padding:0 .8em;margin:1em 0\">";
    for (const std::string& w : warnings) {
      html << "<p class=\"warn\">warning: " << html_escape(w) << "</p>\n";
    }
    html << "</div>\n";
  }
  if (total.metric == kOnTimeMetric) {
    html << late_section(total);
  } else {
    html << "<h2>The answer: quality when every answer has a deadline (total time)</h2>\n"
         << answer_table(total);
    if (total.guarantee) html << guarantee_paragraph(*total.guarantee);
  }
  html << detail::nodes_section(total);
  html << "<div id=\"charts\"></div>\n" << slowest_table(fit);
  html << "<script type=\"application/json\" id=\"tailq-charts\">"
       << detail::script_safe_json(charts) << "</script>\n";
  html << libraries << detail::kRenderCharts << "</body></html>\n";
  detail::write_text_atomically(output, html.str());
}

}  // namespace tailq
