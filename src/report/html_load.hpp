// The report of a load-scenario trace (html_load.cpp); write_html_report() hands over to it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tailq/html_report.hpp"

namespace tailq::detail {

void write_load_report(const TraceReader& trace, const std::filesystem::path& output,
                       const HtmlReportOptions& options);

// `tailq compare` of load traces (html_compare_load.cpp); the html_compare.cpp entry points
// hand over to these when the first trace was measured under load.
std::string load_comparison_text(const std::vector<std::filesystem::path>& traces,
                                 const HtmlReportOptions& options);
std::string load_comparison_json(const std::vector<std::filesystem::path>& traces,
                                 const HtmlReportOptions& options);
void write_load_comparison(const std::vector<std::filesystem::path>& traces,
                           const std::filesystem::path& output, const HtmlReportOptions& options);

}  // namespace tailq::detail
