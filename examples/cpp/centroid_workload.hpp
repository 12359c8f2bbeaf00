// The example's workload: a synthetic data set of points in a few classes and a nearest-centroid
// classifier "trained" on a second sample of them, both in plain C++. Shared by the program
// (tailq_example) and the plug-in (libmine.so), so that both measure the same thing.
#pragma once

#include <cstddef>
#include <tailq/run.hpp>

namespace example {

// Instances in the data set that both the program and the plug-in measure.
inline constexpr std::size_t kInstances = 600;

// A fresh Dataset and Backend. Everything is seeded, so every replica is identical and the
// answers are the same in every round and every process.
tailq::Workload make_centroid_workload(std::size_t instances = kInstances);

// The classifier's top-1 accuracy on the data set, computed here with a loop of our own rather
// than by tailq: what `tailq analyze` must report as the trace's nominal quality.
double expected_accuracy(std::size_t instances = kInstances);

}  // namespace example
