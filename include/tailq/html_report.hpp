// `tailq report`: one self-contained HTML page for a trace (Vega-Lite charts, the libraries
// inlined from web/node_modules at report time, nothing fetched when the page is viewed).
// Apart from the small reporters in report.hpp because it pulls in every stage.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq {

struct HtmlReportOptions {
  std::filesystem::path web_modules;  // node_modules holding vega, vega-lite, vega-embed
  std::size_t sweep = 100;            // points of the quality-time curve
  unsigned threads = 0;
  std::string thresholds = "p90,p99,p99.9";  // compare: the deadlines of its table
  double max_drop = 0.01;                    // compare of load traces: capacity's drop
  bool own_deadlines = false;  // compare: each trace at its own percentiles, not the first's
};

// The folder of charting libraries: $TAILQ_WEB_MODULES, else the one the build knows.
std::filesystem::path default_web_modules();

// Writes the page atomically (temporary file, then rename). Every string from the trace is
// escaped. Throws InputError when the libraries are missing.
void write_html_report(const TraceReader& trace, const std::filesystem::path& output,
                       const HtmlReportOptions& options);

// `tailq compare`: several traces of the same dataset and metric (systems, frameworks, batch
// sizes, thread counts) side by side. Refuses traces of different datasets or metrics.
// The JSON has, per trace, its name, nominal quality and worst/median Q@T per deadline.
// Load traces (tailq run --scenario ...) are compared by quality and latency against load and
// by capacity, all held to the first trace's deadlines; the JSON then has "kind": "load".
std::string comparison_json(const std::vector<std::filesystem::path>& traces,
                            const HtmlReportOptions& options);
void write_html_comparison(const std::vector<std::filesystem::path>& traces,
                           const std::filesystem::path& output, const HtmlReportOptions& options);
// One analysis for `tailq compare`: returns the side-by-side table for a terminal (or the JSON
// when `json`), and writes the page to `html` unless it is empty. Traces are labelled by what
// differs between them; refused unless all measured the same instances of one dataset.
std::string compare_traces(const std::vector<std::filesystem::path>& traces,
                           const HtmlReportOptions& options, bool json,
                           const std::filesystem::path& html);

}  // namespace tailq
