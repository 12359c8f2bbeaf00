#include <iostream>

#include "commands.hpp"
#include "tailq/html_report.hpp"
#include "tailq/output_path.hpp"

namespace tailq::cli {

void add_report_command(CLI::App& app) {
  struct Options {
    std::string trace;
    std::string output = "report.html";
    HtmlReportOptions report;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("report", "Write one self-contained HTML page about a trace");
  cmd->add_option("trace", o->trace, "trace file")->required();
  cmd->add_option("-o,--output", o->output, "HTML file to write")->capture_default_str();
  cmd->add_option("--sweep", o->report.sweep, "points of the quality-time curve")
      ->capture_default_str()
      ->check(number_in(2, 10000, true));
  cmd->add_option("--threads", o->report.threads, "worker threads (0: one per core)")
      ->check(count_at_least(0));
  cmd->callback([o] {
    check_output_path(o->output, {.overwrite = true, .example = "report.html"});
    const TraceReader trace(o->trace);
    write_html_report(trace, o->output, o->report);
    std::cout << "wrote " << o->output << "\n";
  });
}

void add_compare_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> traces;
    std::string output;
    HtmlReportOptions report;
    double max_drop_pt = 1;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare traces of the same instances (systems, frameworks, batch sizes): a side-by-side "
      "table, every trace at the first trace's deadlines");
  cmd->add_option("traces", o->traces, "two or more trace files")->required();
  cmd->add_option("-o,--output", o->output, "also write an HTML page with the curves");
  cmd->add_option("--sweep", o->report.sweep, "points of each quality-time curve")
      ->capture_default_str()
      ->check(number_in(2, 10000, true));
  cmd->add_option("--thresholds", o->report.thresholds,
                  "deadlines, resolved on the first trace and applied to all")
      ->capture_default_str();
  cmd->add_flag("--own-deadlines", o->report.own_deadlines,
                "score each trace at its own percentile deadlines instead of the first's");
  cmd->add_option("--max-drop", o->max_drop_pt,
                  "load traces: capacity keeps the worst case within this many points of nominal")
      ->capture_default_str()
      ->check(number_in(0));
  cmd->add_flag("--json", o->json, "print JSON instead of the table");
  cmd->callback([o] {
    o->report.max_drop = o->max_drop_pt / 100;
    std::vector<std::filesystem::path> paths(o->traces.begin(), o->traces.end());
    parse_deadlines(o->report.thresholds);
    if (!o->output.empty()) {
      check_output_path(o->output, {.overwrite = true, .example = "compare.html"});
    }
    std::cout << compare_traces(paths, o->report, o->json, o->output);
    if (o->json) std::cout << "\n";
    if (!o->output.empty()) std::cerr << "wrote " << o->output << "\n";
  });
}

}  // namespace tailq::cli
