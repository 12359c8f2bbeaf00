// tailq: tail quality of machine-learning inference. A thin layer over the library.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "tailq/error.hpp"
#include "tailq/ranks.hpp"
#include "tailq/run_options.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tailq: how good a model's answers are when every answer has a deadline"};
  app.set_version_flag("--version", TAILQ_VERSION);
  app.require_subcommand(1);
  tailq::cli::add_import_command(app);
  tailq::cli::add_analyze_command(app);
  tailq::cli::add_generate_command(app);
  tailq::cli::add_converge_command(app);
  tailq::cli::add_fit_command(app);
  tailq::cli::add_predict_command(app);
  tailq::cli::add_run_command(app);
  tailq::cli::add_report_command(app);
  tailq::cli::add_compare_command(app);
  tailq::cli::add_check_command(app);
  tailq::cli::add_merge_command(app);
  tailq::cli::add_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const tailq::cli::ExitCode& e) {
    return e.code;
  } catch (const tailq::RankExit&) {
    // Rank 0 reports why and exits with the job's status. The others end quietly with 0:
    // mpirun stops the whole job as soon as one process exits with another status, which could
    // stop rank 0 before it has said why.
    return 0;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << TAILQ_VERSION << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << fmt::format("tailq: error: {} (see tailq --help)\n", e.what());
    return 2;
  } catch (const tailq::OptionError& e) {
    // The library names the option by its key; here it is the flag the user typed.
    const tailq::RunOption* option = tailq::find_run_option(e.key());
    std::string flag = option ? std::string(option->flag) : "--" + e.key();
    if (!option) std::replace(flag.begin(), flag.end(), '_', '-');
    if (e.key() == "overwrite") {  // the commands' name for it is --force
      std::cerr << "tailq: error: " << e.what() << ": add --force to replace it\n";
      return 2;
    }
    std::cerr << "tailq: error: " << flag << ": " << e.what() << "\n";
    return 2;
  } catch (const tailq::InputError& e) {
    std::cerr << "tailq: error: " << e.what() << "\n";
    return 2;
  } catch (const tailq::StoreError& e) {
    std::cerr << "tailq: error: " << e.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // The disk or the paths given (full, removed meanwhile, no permission), not a bug.
    std::cerr << "tailq: error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tailq: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
