// The times CSV reader behind `tailq import --times`.
#include "fuzz_util.hpp"
#include "tailq/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  const auto path = fuzz::write_scratch("times.csv", fuzz::as_text(data, size));
  fuzz::expect_clean([&] {
    const ImportedTimes t = read_times_csv(path);
    // What import_trace relies on: dense batches, a full round-major matrix, finite times.
    if (t.inference_s.size() != t.round_indices.size() * t.batch_count ||
        t.total_s.size() != t.inference_s.size() ||
        t.batch_of_instance.size() != t.instance_names.size()) {
      __builtin_trap();
    }
    for (std::uint32_t b : t.batch_of_instance) {
      if (b >= t.batch_count) __builtin_trap();
    }
    for (double v : t.inference_s) {
      if (!(v >= 0) || v == __builtin_inf()) __builtin_trap();
    }
  });
  return 0;
}
