// The built-in workloads, by name.
#include "collect/sleep_workload.hpp"
#include "tailq/error.hpp"
#include "tailq/run.hpp"

namespace tailq {

#ifdef TAILQ_HAVE_TORCH
Workload make_digits_workload(const RunSettings& settings);  // backends/torch/digits_workload.cpp
#endif

Workload make_workload(const RunSettings& settings) {
  if (settings.workload == "sleep") {
    Workload w;
    w.dataset = make_sleep_dataset(settings.sleep_instances);
    w.backend =
        make_sleep_backend(parse_sleep_law(settings.sleep_distribution), settings.sleep_seed);
    w.model = "sleep:" + settings.sleep_distribution;
    return w;
  }
  if (settings.workload == "digits") {
#ifdef TAILQ_HAVE_TORCH
    return make_digits_workload(settings);
#else
    throw InputError(
        "the digits workload needs LibTorch, and this tailq was built without it (install "
        "libtorch-dev and rebuild); --workload sleep needs nothing");
#endif
  }
  throw InputError("--workload: unknown workload '" + settings.workload +
                   "' (built in: digits, sleep)");
}

}  // namespace tailq
