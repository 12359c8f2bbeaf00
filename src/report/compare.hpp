// `tailq compare` of single-stream traces (compare_traces.cpp): every trace scored at one set of
// deadlines, labelled by what differs between the traces, refused unless all measured the same
// instances of one dataset under one metric.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tailq/engine.hpp"
#include "tailq/html_report.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

struct ComparedTrace {
  std::filesystem::path path;
  std::string label;  // short, unique among the compared traces
  TailQuality result;
};

struct Comparison {
  std::vector<ComparedTrace> traces;
  bool common_deadlines = true;  // all at the first trace's deadlines
};

// Labels by what differs (batch size, backend, model, threads, workers, scenario, host), else by file
// name; a file name is added wherever that leaves two labels equal.
std::vector<std::string> trace_labels(const std::vector<std::filesystem::path>& paths,
                                      const std::vector<Experiment>& experiments);

// Throws InputError naming what differs between `trace` and `first` (dataset, metric, instance
// count or names) and the way out.
void require_same_instances(const std::filesystem::path& first_path, const TraceReader& first,
                            const std::filesystem::path& path, const TraceReader& trace);

Comparison compare_traces(const std::vector<std::filesystem::path>& paths,
                          const HtmlReportOptions& options);
nlohmann::ordered_json comparison_summary(const Comparison& c);
std::string comparison_text(const Comparison& c);  // the side-by-side table for a terminal

}  // namespace tailq::detail
