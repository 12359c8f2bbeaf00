#include "tailq/thresholds.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "tailq/error.hpp"

namespace tailq {
namespace {

ThresholdSpec parse_one(std::string_view item, BareNumber bare);

double parse_number(std::string_view text, std::string_view item) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    throw InputError("threshold '" + std::string(item) + "': not a number");
  }
  return value;
}

// A deadline written with spaces ("5 ms", "p 99") that parses without them: say so.
void refuse_spaces(std::string_view item, BareNumber bare) {
  std::string joined;
  for (char c : item) {
    if (c != ' ') joined += c;
  }
  if (joined.size() == item.size() || joined.empty()) return;
  try {
    parse_one(joined, bare);
  } catch (const InputError&) {
    return;  // not a near miss: the item's own error says what is wrong
  }
  throw InputError("threshold '" + std::string(item) + "': write " + joined + " (no space)");
}

ThresholdSpec parse_one(std::string_view item, BareNumber bare) {
  while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
  while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
  if (item.empty()) throw InputError("thresholds: empty item in the list");
  refuse_spaces(item, bare);
  ThresholdSpec spec;
  spec.label = std::string(item);
  if (item.front() == 'p' || item.front() == 'P') {
    spec.kind = ThresholdSpec::Kind::percentile;
    spec.value = parse_number(item.substr(1), item);
    if (spec.value < 0 || spec.value > 100) {
      throw InputError("threshold '" + spec.label + "': percentile must be in [0, 100]");
    }
    spec.label[0] = 'p';
    return spec;
  }
  struct Unit {
    std::string_view suffix;
    double seconds;
  };
  // Longest suffixes first, so that "ms" is not read as "s".
  static constexpr Unit kUnits[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};
  double scale = 1.0;
  std::string_view number = item;
  for (const Unit& unit : kUnits) {
    if (item.size() > unit.suffix.size() && item.ends_with(unit.suffix)) {
      scale = unit.seconds;
      number = item.substr(0, item.size() - unit.suffix.size());
      break;
    }
  }
  spec.kind = ThresholdSpec::Kind::absolute;
  spec.value = parse_number(number, item) * scale;
  if (number.size() == item.size() && bare == BareNumber::refused) {
    throw InputError("threshold '" + spec.label + "': add a unit (" + spec.label + "s, " +
                     spec.label + "ms or " + spec.label + "us) or write p" + spec.label +
                     " for a percentile");
  }
  if (spec.value < 0) throw InputError("threshold '" + spec.label + "': negative deadline");
  return spec;
}

}  // namespace

std::vector<ThresholdSpec> parse_thresholds(std::string_view text, BareNumber bare) {
  std::vector<ThresholdSpec> specs;
  while (true) {
    const auto comma = text.find(',');
    specs.push_back(parse_one(text.substr(0, comma), bare));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return specs;
}

std::vector<double> linspace(double lo, double hi, std::size_t count) {
  std::vector<double> out(count);
  if (count == 1) {
    out[0] = lo;
    return out;
  }
  // numpy.linspace: lo + i * step, with the last point set to hi exactly.
  const double step = (hi - lo) / static_cast<double>(count - 1);
  for (std::size_t i = 0; i < count; ++i) out[i] = lo + static_cast<double>(i) * step;
  if (count > 1) out[count - 1] = hi;
  return out;
}

}  // namespace tailq
