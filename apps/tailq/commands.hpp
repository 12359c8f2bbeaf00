// Each subcommand registers itself on the app; main() only dispatches and maps errors to
// exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "tailq/error.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/thresholds.hpp"

namespace tailq::cli {

// Thrown by a command that ends with a specific exit status after doing its work.
struct ExitCode {
  int code;
};

// The stop rule of `run` and `converge`: --stop when given, else the rule whose own options
// were given (--tau alone means rjsd), else `fallback`. Options of the other rule are refused.
using NamedOptions = std::vector<std::pair<std::string, CLI::Option*>>;
StopRule pick_stop_rule(const std::string& fallback, const CLI::Option* stop,
                        const NamedOptions& precision, const NamedOptions& rjsd);

// Runs `parse` on the value of option `flag`; a refused value is reported under the flag's name
// (the library's messages name no command-line flags).
template <class Parse>
auto with_flag(const std::string& flag, Parse&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const OptionError&) {
    throw;
  } catch (const InputError& e) {
    throw InputError(flag + ": " + e.what());
  }
}

// Checks that an option's value is a number in [least, most] (whole when `whole`); its message
// says the range as people write it ("a whole number of at least 1").
CLI::Validator number_in(double least, double most = std::numeric_limits<double>::infinity(),
                         bool whole = false);
CLI::Validator count_at_least(double least);

// The deadlines of --thresholds, each with its unit or as a percentile (a bare "5" is refused).
std::vector<ThresholdSpec> parse_deadlines(const std::string& text);

void add_import_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_converge_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_serve_command(CLI::App& app);

}  // namespace tailq::cli
