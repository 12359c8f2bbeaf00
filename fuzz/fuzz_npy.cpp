// The .npy reader behind `tailq import --inference-npy/--total-npy`. The input is one file used
// for both arrays, or two files back to back (split at the second "\x93NUMPY" magic).
#include <cstring>

#include "fuzz_util.hpp"
#include "tailq/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  const std::string_view all = fuzz::as_text(data, size);
  const std::size_t second = all.size() > 6 ? all.find("\x93NUMPY", 1) : std::string_view::npos;
  const auto inference = fuzz::write_scratch("inference.npy", all.substr(0, second));
  const auto total = second == std::string_view::npos
                         ? inference
                         : fuzz::write_scratch("total.npy", all.substr(second));
  fuzz::expect_clean([&] {
    const ImportedTimes t = read_times_npy(inference, total);
    if (t.inference_s.size() != t.round_indices.size() * t.batch_count ||
        t.total_s.size() != t.inference_s.size()) {
      __builtin_trap();
    }
  });
  return 0;
}
