// The charts of `tailq report` for a single-stream trace (html_report_charts.cpp): each one a
// chart entry (id, title, Vega-Lite spec with its data) built from analysis results only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tailq/convergence.hpp"
#include "tailq/engine.hpp"
#include "tailq/fit.hpp"
#include "tailq/predict.hpp"
#include "tailq/time_profile.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

using nlohmann::ordered_json;

// Q@T against the deadline, between the fastest time and P99.9 (where the sweep ends).
ordered_json curve_chart(const char* id, const std::string& title, const TailQuality& r);
ordered_json per_round_chart(const TailQuality& total);
// The histogram and density of `profile` (asked for between total.latency.min and P99.9).
ordered_json latency_chart(const TimeProfile& profile, const TailQuality& total);
ordered_json drift_chart(const TimeProfile& profile);
ordered_json convergence_chart(const ConvergenceReport& convergence);
ordered_json size_chart(const TraceReader& trace, const TimeProfile& profile, const LinearFit& f);
ordered_json prediction_chart(const PredictionReport& prediction);

}  // namespace tailq::detail
