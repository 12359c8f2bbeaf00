// The value parsers of run settings (tailq/options.hpp). Messages say what is wrong with the
// value; the front end that read it adds its own name for the option.
#include <charconv>
#include <cmath>
#include <string_view>

#include "tailq/error.hpp"
#include "tailq/options.hpp"
#include "tailq/run.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

constexpr int kMaxCpus = 1024;  // CPU_SETSIZE

bool parse_cpu(std::string_view text, int& cpu) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), cpu);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size() && cpu >= 0 &&
         cpu < kMaxCpus;
}

// The whole text as a number: no leading space, no trailing junk (std::stod allows both).
bool parse_number(std::string_view text, double& value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

std::uint64_t parse_count(std::string_view text, std::uint64_t least, std::uint64_t most) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < least ||
      value > most) {
    throw InputError(quoted(text) + " is not a whole number from " + std::to_string(least) +
                     (most == UINT64_MAX ? " up" : " to " + std::to_string(most)));
  }
  return value;
}

double parse_real(std::string_view text, double least) {
  double value = 0;
  if (!parse_number(text, value) || !std::isfinite(value) || !(value >= least)) {
    // "2%" where a share is wanted: say the share it means.
    double share = 0;
    const bool percent = text.size() > 1 && text.back() == '%' &&
                         parse_number(text.substr(0, text.size() - 1), share);
    throw InputError(quoted(text) + " is not a number from " + fmt_number(least) + " up" +
                     (percent ? " (write " + fmt_number(share / 100) + " for " +
                                    std::string(text) + ")"
                              : ""));
  }
  return value;
}

std::string fmt_number(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const auto dash = item.find('-');
    int first = 0, last = 0;
    const bool ok = dash == std::string_view::npos
                        ? parse_cpu(item, first) && parse_cpu(item, last)
                        : parse_cpu(item.substr(0, dash), first) &&
                              parse_cpu(item.substr(dash + 1), last) && first <= last;
    if (!ok) {
      throw InputError(quoted(item) + " is not a CPU number (0-1023) or range such as 0-3");
    }
    for (int c = first; c <= last; ++c) cpus.push_back(c);
    if (comma == std::string_view::npos) return cpus;
    rest.remove_prefix(comma + 1);
  }
}

double parse_duration(std::string_view text) {
  std::string_view number = text;
  double scale = 1;
  if (!number.empty() && (number.back() == 's' || number.back() == 'm' || number.back() == 'h')) {
    scale = number.back() == 's' ? 1 : number.back() == 'm' ? 60 : 3600;
    number.remove_suffix(1);
  }
  double value = 0;
  if (!parse_number(number, value) || !(value > 0) || !std::isfinite(value * scale)) {
    throw InputError(quoted(text) + " is not a duration such as 90, 90s, 5m, 1h");
  }
  return value * scale;
}

double parse_rate(std::string_view text) {
  double value = 0;
  if (!parse_number(text, value) || !(value > 0) || !std::isfinite(value)) {
    throw InputError(quoted(text) + " is not a positive rate in instances per second");
  }
  return value;
}

std::vector<double> parse_rate_list(std::string_view text) {
  std::vector<double> rates;
  while (true) {
    const auto comma = text.find(',');
    rates.push_back(parse_rate(text.substr(0, comma)));
    if (comma == std::string_view::npos) return rates;
    text.remove_prefix(comma + 1);
  }
}

std::vector<double> parse_rate_sweep(std::string_view text) {
  const auto a = text.find(':');
  const auto b = a == std::string_view::npos ? a : text.find(':', a + 1);
  if (b == std::string_view::npos) {
    throw InputError("expected FROM:TO:STEP such as 50:400:50, got " + quoted(text));
  }
  const double from = parse_rate(text.substr(0, a));
  const double to = parse_rate(text.substr(a + 1, b - a - 1));
  const double step = parse_rate(text.substr(b + 1));
  if (to < from) throw InputError("TO is below FROM in " + quoted(text));
  // In double first: a tiny step makes a count far beyond any integer type.
  const double steps = std::floor((to - from) / step + 1e-9);
  if (!(steps < 1000)) throw InputError("more than 1000 loads in " + quoted(text));
  const auto count = static_cast<std::size_t>(steps) + 1;
  std::vector<double> rates;
  for (std::size_t i = 0; i < count; ++i) rates.push_back(from + static_cast<double>(i) * step);
  return rates;
}

double parse_time_value(std::string_view text) {
  try {
    const auto specs = parse_thresholds(text);
    if (specs.size() == 1 && specs[0].kind == ThresholdSpec::Kind::absolute) return specs[0].value;
  } catch (const InputError&) {
  }
  throw InputError(quoted(text) + " is not a time such as 2ms, 500us or 0.01");
}

// Here rather than beside the round loop: front ends that run nothing (the Python module) parse
// stop rules too, and must not pull in the workloads.
std::string_view to_string(StopRule rule) {
  return rule == StopRule::precision ? "precision" : "rjsd";
}

StopRule parse_stop_rule(std::string_view text) {
  if (text == "precision") return StopRule::precision;
  if (text == "rjsd") return StopRule::rjsd;
  throw InputError("expected 'precision' or 'rjsd', got " + quoted(text));
}

double parse_share(std::string_view text) {
  std::string_view number = text;
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.remove_suffix(1);
  double value = 0;
  if (!parse_number(number, value)) {
    throw InputError(quoted(text) + " is not a share such as 95% or 0.95");
  }
  if (percent) value /= 100;
  if (!(value > 0 && value < 1)) {
    throw InputError(quoted(text) + " must lie strictly between 0% and 100%" +
                     (!percent && value > 1 && value < 100
                          ? " (did you mean " + std::string(text) + "%?)"
                          : ""));
  }
  return value;
}

double parse_percentage(std::string_view text) {
  std::string_view number = text;
  if (!number.empty() && number.back() == '%') number.remove_suffix(1);
  double value = 0;
  if (!parse_number(number, value) || !(value > 0 && value < 100)) {
    throw InputError(quoted(text) + " is not a percentage between 0 and 100 such as 5");
  }
  return value / 100;
}

double parse_points(std::string_view text) {
  std::string_view number = text;
  if (number.ends_with("pt")) number.remove_suffix(2);
  double value = 0;
  if (!parse_number(number, value) || !(value > 0 && value <= 100)) {
    throw InputError(quoted(text) +
                     " is not a number of quality points between 0 and 100 such as 0.5");
  }
  return value / 100;
}

}  // namespace tailq
