// The settings of `tailq run` as one table: every option's name, flag, help, whether a resumed
// run must match it, and which workload or stop rule it applies to. The command line, the
// record kept in the trace, the checks of --resume and the Python module's tailq.run() are all
// driven by this table, so an option is added in one place (src/collect/run_option_table.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tailq/error.hpp"
#include "tailq/run.hpp"

namespace tailq {

struct RunOption {
  std::string_view key;         // "batch_size": the Python keyword and the trace's record
  std::string_view flag;        // "--batch-size"
  std::string_view value_name;  // "N"; empty for a switch (given alone, it means "true")
  std::string_view help;
  // identity: part of what is measured (the workload and how it runs); a resumed run takes it
  // from the trace and refuses a different value. limit: when to stop; may change on resume.
  enum class Role { identity, limit } role = Role::identity;
  // The workloads ("sleep", "digits,model") or the stop rule ("stop:precision") it applies to;
  // empty: every run. Giving an option that does not apply is an error, never ignored.
  std::string_view applies_to;
};

// Every option, in the order `tailq run --help` lists them.
std::span<const RunOption> run_options();
// The option with this key or flag; nullptr if none.
const RunOption* find_run_option(std::string_view key_or_flag);

// An option's value was refused; the message does not name the option (front ends add their own
// name for it: the flag on the command line, the keyword in Python).
class OptionError : public InputError {
 public:
  OptionError(std::string key, const std::string& message)
      : InputError(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Options given as (key, text) pairs, as a user wrote them.
using GivenOptions = std::vector<std::pair<std::string, std::string>>;

// The settings of a new run: defaults, then every given option. The workload is "model" when
// inputs are given without one; the stop rule is the one whose options alone were given when
// none is named. Throws OptionError for a bad value or an option that does not apply.
RunSettings run_settings_from(const GivenOptions& given);

// An option's value in `settings` as text, in the form its parser reads back.
std::string run_option_text(const RunSettings& settings, std::string_view key);
// Sets one option from text; throws OptionError.
void set_run_option(RunSettings& settings, std::string_view key, std::string_view text);

// The identity options of `settings` as the (key, text) record that a trace keeps.
GivenOptions identity_record(const RunSettings& settings);

// Continues the experiment in `trace` with the stop rule and limits of `given`; identity options
// come from the trace, and one given again must equal the trace's (OptionError otherwise).
RunResult resume_experiment(const std::filesystem::path& trace, const GivenOptions& given,
                            const std::function<void(const RunProgress&)>& progress = {});

}  // namespace tailq
