// Parsers of option values, in the library so that they are tested and fuzzed like every other
// input. Each throws InputError saying what is wrong with the value; the front end that read it
// (the command line, Python) adds its own name for the option.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tailq {

// A whole number in [least, most].
std::uint64_t parse_count(std::string_view text, std::uint64_t least = 0,
                          std::uint64_t most = UINT64_MAX);
// A finite number >= least.
double parse_real(std::string_view text, double least);
// The shortest text that reads back as exactly `value`.
std::string fmt_number(double value);
// "0", "0-3", "0-1,3": CPU numbers in [0, 1024) (the kernel's CPU_SETSIZE).
std::vector<int> parse_cpu_list(std::string_view text);
// "90", "90s", "5m", "1h": a positive, finite number of seconds.
double parse_duration(std::string_view text);
// A positive, finite rate in instances per second.
double parse_rate(std::string_view text);
// "100" or "50,100,200" (--qps).
std::vector<double> parse_rate_list(std::string_view text);
// "FROM:TO:STEP", e.g. "50:400:50" (--qps-sweep): at most 1000 loads.
std::vector<double> parse_rate_sweep(std::string_view text);
// A time such as "2ms", "500us" or "0.01" (seconds), >= 0 and finite.
double parse_time_value(std::string_view text);
// A share strictly between 0 and 1, written "95%" or "0.95" (a confidence).
double parse_share(std::string_view text);
// A percentage strictly between 0 and 100, written "5" or "5%", returned as a share.
double parse_percentage(std::string_view text);
// Quality points, e.g. "0.5" or "0.5pt", positive and at most 100, returned as a share of
// quality (0.005).
double parse_points(std::string_view text);

}  // namespace tailq
