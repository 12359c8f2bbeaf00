// The sleep-model file of `tailq run --workload sleep --sleep-model FILE` (CSV law,correct).
#include "collect/sleep_workload.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  const auto path = fuzz::write_scratch("model.csv", fuzz::as_text(data, size));
  fuzz::expect_clean([&] {
    const SleepModel model = read_sleep_model(path.string());
    if (model.laws.empty() || model.laws.size() != model.correct.size()) __builtin_trap();
    for (const SleepLaw& law : model.laws) {
      if (!(law.a > 0 && law.a <= 3600) || !(law.b >= 0 && law.b <= 10)) __builtin_trap();
    }
  });
  return 0;
}
