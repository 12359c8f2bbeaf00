// The report of a load-scenario trace (html_load.cpp); write_html_report() hands over to it.
#pragma once

#include <filesystem>

#include "tailq/html_report.hpp"

namespace tailq::detail {

void write_load_report(const TraceReader& trace, const std::filesystem::path& output,
                       const HtmlReportOptions& options);

}  // namespace tailq::detail
