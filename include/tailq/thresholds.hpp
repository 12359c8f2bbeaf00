// Deadlines: "p99" (a percentile of the pooled times), "4ms" (absolute), or a sweep.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tailq {

struct ThresholdSpec {
  enum class Kind { percentile, absolute };
  Kind kind = Kind::absolute;
  double value = 0;   // percent in [0, 100] for a percentile, seconds for an absolute deadline
  std::string label;  // as the user wrote it, normalised: "p99", "4ms"
};

// What a number without a unit means: seconds (programs, the Python module's numbers), or
// nothing (the command line, where "5" is as likely meant as 5ms or p5 as 5 s).
enum class BareNumber { seconds, refused };

// Parses a comma-separated list such as "p90,p99.9,0.004,4ms,900us,250ns,1.5s".
// Throws InputError naming the offending item and, for a near miss ("5 ms", "5"), the fix.
std::vector<ThresholdSpec> parse_thresholds(std::string_view text,
                                            BareNumber bare = BareNumber::seconds);

// K evenly spaced deadlines from lo to hi inclusive (numpy.linspace).
std::vector<double> linspace(double lo, double hi, std::size_t count);

}  // namespace tailq
