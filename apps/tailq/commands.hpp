// Each subcommand registers itself on the app; main() only dispatches and maps errors to
// exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace tailq::cli {

// Thrown by a command that ends with a specific exit status after doing its work.
struct ExitCode {
  int code;
};

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

}  // namespace tailq::cli
