// tailq_example TRACE [MAX_ROUNDS]: measures the example's own workload with tailq's harness
// and prints what `tailq analyze TRACE` should then report.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <tailq/error.hpp>
#include <tailq/run.hpp>

#include "centroid_workload.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s TRACE [MAX_ROUNDS]\n", argv[0]);
    return 2;
  }
  try {
    tailq::RunSettings settings;
    settings.workload = "mine";  // names the workload in the trace
    settings.output = argv[1];
    settings.batch_size = 8;
    settings.max_rounds = argc > 2 ? std::stoul(argv[2]) : 30;
    // The rJSD rule with tau 0 never calls the distribution settled, so the run measures exactly
    // max_rounds, which the test checks. A real run keeps the default (the precision rule, which
    // stops once the answer is known to within a point).
    settings.stop = tailq::StopRule::rjsd;
    settings.convergence.tau = 0;
    const tailq::RunResult result = tailq::run_experiment(
        settings, [](unsigned /*replica*/) { return example::make_centroid_workload(); });
    std::printf("trace: %s\n", result.trace.c_str());
    std::printf("rounds: %zu\n", result.measured_rounds);
    std::printf("instances: %zu\n", example::kInstances);
    std::printf("expected accuracy: %.17g\n", example::expected_accuracy());
  } catch (const std::invalid_argument&) {  // from stoul
    std::fprintf(stderr, "tailq_example: MAX_ROUNDS must be a number\n");
    return 2;
  } catch (const tailq::InputError& e) {
    std::fprintf(stderr, "tailq_example: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tailq_example: %s\n", e.what());
    return 1;
  }
}
