// Which stop rule a command line asks for (commands.hpp).
#include "commands.hpp"
#include "tailq/error.hpp"

namespace tailq::cli {

StopRule pick_stop_rule(const std::string& fallback, const CLI::Option* stop,
                        const NamedOptions& precision, const NamedOptions& rjsd) {
  auto given = [](const NamedOptions& options) -> const std::string* {
    for (const auto& [name, option] : options) {
      if (option->count() > 0) return &name;
    }
    return nullptr;
  };
  const std::string* for_precision = given(precision);
  const std::string* for_rjsd = given(rjsd);
  StopRule rule = with_flag("--stop", [&] { return parse_stop_rule(fallback); });
  if (stop->count() == 0 && (for_precision != nullptr) != (for_rjsd != nullptr)) {
    rule = for_precision ? StopRule::precision : StopRule::rjsd;
  }
  // An option of the other rule would be silently ignored: refuse it.
  if (const std::string* other = rule == StopRule::precision ? for_rjsd : for_precision) {
    throw InputError(*other + " applies to --stop " +
                     (rule == StopRule::precision ? "rjsd" : "precision"));
  }
  return rule;
}

}  // namespace tailq::cli
