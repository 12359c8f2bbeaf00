// The outcomes CSV reader behind `tailq import --outcomes`, for a fixed set of instances.
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "tailq/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  static const std::vector<std::string> names = {"0", "1", "2", "3", "a", "b c", "\"q\""};
  const auto path = fuzz::write_scratch("outcomes.csv", fuzz::as_text(data, size));
  fuzz::expect_clean([&] {
    const ImportedOutcomes o = read_outcomes_csv(path, names);
    const bool classification = o.outcomes.kind == Outcomes::Kind::classification;
    if ((classification ? o.outcomes.predictions.size() : o.outcomes.scores.size()) !=
        names.size()) {
      __builtin_trap();
    }
    for (double s : o.outcomes.scores) {
      if (!(s >= 0 && s <= 1)) __builtin_trap();
    }
  });
  return 0;
}
