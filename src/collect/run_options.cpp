// The value parsers behind `tailq run`'s options (tailq/options.hpp).
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

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
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
      throw InputError("--pin-cpus: '" + std::string(item) +
                       "' is not a CPU number (0-1023) or range such as 0-3");
    }
    for (int c = first; c <= last; ++c) cpus.push_back(c);
    if (comma == std::string_view::npos) return cpus;
    rest.remove_prefix(comma + 1);
  }
}

double parse_duration(const std::string& text) {
  std::string_view number = text;
  double scale = 1;
  if (!number.empty() && (number.back() == 's' || number.back() == 'm' || number.back() == 'h')) {
    scale = number.back() == 's' ? 1 : number.back() == 'm' ? 60 : 3600;
    number.remove_suffix(1);
  }
  double value = 0;
  if (!parse_number(number, value) || !(value > 0) || !std::isfinite(value * scale)) {
    throw InputError("--max-duration: '" + text + "' is not a duration such as 90, 90s, 5m, 1h");
  }
  return value * scale;
}

double parse_rate(const std::string& text, const std::string& option) {
  double value = 0;
  if (!parse_number(text, value) || !(value > 0) || !std::isfinite(value)) {
    throw InputError(option + ": '" + text + "' is not a positive rate in instances per second");
  }
  return value;
}

std::vector<double> parse_rate_list(const std::string& text) {
  std::vector<double> rates;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    rates.push_back(parse_rate(text.substr(start, comma - start), "--qps"));
    if (comma == std::string::npos) return rates;
    start = comma + 1;
  }
}

std::vector<double> parse_rate_sweep(const std::string& text) {
  const auto a = text.find(':');
  const auto b = a == std::string::npos ? a : text.find(':', a + 1);
  if (b == std::string::npos) {
    throw InputError("--qps-sweep: expected FROM:TO:STEP such as 50:400:50, got '" + text + "'");
  }
  const double from = parse_rate(text.substr(0, a), "--qps-sweep");
  const double to = parse_rate(text.substr(a + 1, b - a - 1), "--qps-sweep");
  const double step = parse_rate(text.substr(b + 1), "--qps-sweep");
  if (to < from) throw InputError("--qps-sweep: TO is below FROM in '" + text + "'");
  // In double first: a tiny step makes a count far beyond any integer type.
  const double steps = std::floor((to - from) / step + 1e-9);
  if (!(steps < 1000)) throw InputError("--qps-sweep: more than 1000 loads in '" + text + "'");
  const auto count = static_cast<std::size_t>(steps) + 1;
  std::vector<double> rates;
  for (std::size_t i = 0; i < count; ++i) rates.push_back(from + static_cast<double>(i) * step);
  return rates;
}

double parse_time_option(const std::string& option, const std::string& text) {
  try {
    const auto specs = parse_thresholds(text);
    if (specs.size() == 1 && specs[0].kind == ThresholdSpec::Kind::absolute) return specs[0].value;
  } catch (const InputError&) {
  }
  throw InputError(option + ": '" + text + "' is not a time such as 2ms, 500us or 0.01");
}

// Here rather than beside the round loop: front ends that run nothing (the Python module) parse
// stop rules too, and must not pull in the workloads.
std::string_view to_string(StopRule rule) {
  return rule == StopRule::precision ? "precision" : "rjsd";
}

StopRule parse_stop_rule(std::string_view text) {
  if (text == "precision") return StopRule::precision;
  if (text == "rjsd") return StopRule::rjsd;
  throw InputError("stop rule: expected 'precision' or 'rjsd', got '" + std::string(text) + "'");
}

double parse_share(const std::string& option, const std::string& text) {
  std::string_view number = text;
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.remove_suffix(1);
  double value = 0;
  if (!parse_number(number, value)) {
    throw InputError(option + ": '" + text + "' is not a share such as 95% or 0.95");
  }
  if (percent) value /= 100;
  if (!(value > 0 && value < 1)) {
    throw InputError(option + ": '" + text + "' must lie strictly between 0% and 100%" +
                     (!percent && value > 1 && value < 100 ? " (did you mean " + text + "%?)" : ""));
  }
  return value;
}

double parse_percentage(const std::string& option, const std::string& text) {
  std::string_view number = text;
  if (!number.empty() && number.back() == '%') number.remove_suffix(1);
  double value = 0;
  if (!parse_number(number, value) || !(value > 0 && value < 100)) {
    throw InputError(option + ": '" + text + "' is not a percentage between 0 and 100 such as 5");
  }
  return value / 100;
}

double parse_points(const std::string& option, const std::string& text) {
  std::string_view number = text;
  if (number.ends_with("pt")) number.remove_suffix(2);
  double value = 0;
  if (!parse_number(number, value) || !(value > 0 && value <= 100)) {
    throw InputError(option + ": '" + text +
                     "' is not a number of quality points between 0 and 100 such as 0.5");
  }
  return value / 100;
}

}  // namespace tailq
