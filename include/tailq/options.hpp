// Parsers of `tailq run`'s option values, in the library so that they are tested and fuzzed
// like every other input. Each throws InputError naming the option and the bad text.
#pragma once

#include <string>
#include <vector>

namespace tailq {

// "0", "0-3", "0-1,3": CPU numbers in [0, 1024) (the kernel's CPU_SETSIZE).
std::vector<int> parse_cpu_list(const std::string& text);
// "90", "90s", "5m", "1h": a positive, finite number of seconds.
double parse_duration(const std::string& text);
// A positive, finite rate in instances per second; `option` names it in the error.
double parse_rate(const std::string& text, const std::string& option);
// "100" or "50,100,200" (--qps).
std::vector<double> parse_rate_list(const std::string& text);
// "FROM:TO:STEP", e.g. "50:400:50" (--qps-sweep): at most 1000 loads.
std::vector<double> parse_rate_sweep(const std::string& text);
// A time such as "2ms", "500us" or "0.01" (seconds), >= 0 and finite.
double parse_time_option(const std::string& option, const std::string& text);
// A share strictly between 0 and 1, written "95%" or "0.95" (--confidence).
double parse_share(const std::string& option, const std::string& text);
// A percentage strictly between 0 and 100, written "5" or "5%", returned as a share (--bad-round).
double parse_percentage(const std::string& option, const std::string& text);
// Quality points, e.g. "0.5" or "0.5pt", positive and at most 100, returned as a share of
// quality (0.005) (--epsilon).
double parse_points(const std::string& option, const std::string& text);

}  // namespace tailq
