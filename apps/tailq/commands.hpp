// Each subcommand registers itself on the app; main() only dispatches and maps errors to
// exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace tailq::cli {

void add_import_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_converge_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_predict_command(CLI::App& app);

}  // namespace tailq::cli
