// Range checks of numeric options that say the range as people write it (CLI11's own print
// their bounds with %f, so that "positive" reads 0.000000 to 1797693134862315708...).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "commands.hpp"

namespace tailq::cli {
namespace {

std::string range_text(double least, double most, bool whole) {
  const std::string kind = whole ? "a whole number" : "a number";
  if (most == std::numeric_limits<double>::infinity()) {
    return fmt::format("{} of at least {}", kind, least);
  }
  return fmt::format("{} from {} to {}", kind, least, most);
}

// "2%" for an option that takes a share: the share it means.
std::string percent_hint(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size() - 1;
  if (text.size() < 2 || text.back() != '%') return {};
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return {};
  return fmt::format(" (write {} for {})", value / 100, text);
}

}  // namespace

CLI::Validator number_in(double least, double most, bool whole) {
  const std::string wanted = range_text(least, most, whole);
  auto check = [=](std::string& text) -> std::string {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    const bool number = !text.empty() && ec == std::errc() && ptr == end && std::isfinite(value);
    if (number && value >= least && value <= most && (!whole || value == std::floor(value))) {
      return {};
    }
    return fmt::format("must be {}, not '{}'{}", wanted, text, percent_hint(text));
  };
  const std::string description = most == std::numeric_limits<double>::infinity()
                                      ? fmt::format(">= {}", least)
                                      : fmt::format("{} to {}", least, most);
  return CLI::Validator(check, description);
}

std::vector<ThresholdSpec> parse_deadlines(const std::string& text) {
  return with_flag("--thresholds", [&] { return parse_thresholds(text, BareNumber::refused); });
}

CLI::Validator count_at_least(double least) {
  return number_in(least, std::numeric_limits<double>::infinity(), true);
}

}  // namespace tailq::cli
