#include "centroid_workload.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace example {
namespace {

constexpr std::size_t kFeatures = 8;
constexpr std::size_t kClasses = 3;
// Noise wide enough that the classes overlap: an accuracy of 1 would not show a wrong answer
// being scored.
constexpr float kNoise = 1.6f;

// SplitMix64 rather than <random>'s distributions, whose output differs between standard
// libraries: the expected accuracy must not depend on the one the example is built with.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  float uniform() {  // in [-1, 1)
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<float>(z >> 40) / static_cast<float>(1ull << 23) - 1.0f;
  }

 private:
  std::uint64_t state_;
};

// `n` points, n / kClasses of each class (instance i is of class i % kClasses), row-major.
std::vector<float> sample(std::size_t n, std::uint64_t seed) {
  Random random(seed);
  std::vector<float> points(n * kFeatures);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t label = i % kClasses;
    for (std::size_t f = 0; f < kFeatures; ++f) {
      const float mean = f % kClasses == label ? 1.0f : 0.0f;
      points[i * kFeatures + f] = mean + kNoise * random.uniform();
    }
  }
  return points;
}

using Centroids = std::array<std::array<float, kFeatures>, kClasses>;

Centroids train(std::size_t n) {
  const std::vector<float> points = sample(n, /*seed=*/2);
  Centroids sum{};
  std::array<std::size_t, kClasses> count{};
  for (std::size_t i = 0; i < n; ++i) {
    ++count[i % kClasses];
    for (std::size_t f = 0; f < kFeatures; ++f) sum[i % kClasses][f] += points[i * kFeatures + f];
  }
  for (std::size_t c = 0; c < kClasses; ++c) {
    for (float& v : sum[c]) v /= static_cast<float>(count[c]);
  }
  return sum;
}

// Scores are negated squared distances, so the nearest centroid has the highest score, as tailq
// reads a row of scores (its top classes, the first of equal ones first).
void score(const Centroids& centroids, std::span<const float> point, std::span<float> scores) {
  for (std::size_t c = 0; c < kClasses; ++c) {
    float distance = 0;
    for (std::size_t f = 0; f < kFeatures; ++f) {
      const float d = point[f] - centroids[c][f];
      distance += d * d;
    }
    scores[c] = -distance;
  }
}

class PointsDataset : public tailq::Dataset {
 public:
  explicit PointsDataset(std::size_t n) : points_(sample(n, /*seed=*/1)), n_(n) {}
  std::string name() const override { return "example-points"; }
  std::size_t size() const override { return n_; }
  std::string label(std::size_t instance) const override { return classes_[instance % kClasses]; }
  std::vector<std::int64_t> instance_shape() const override {
    return {static_cast<std::int64_t>(kFeatures)};
  }
  const std::vector<std::string>& classes() const override { return classes_; }
  // Timed: copies into the harness's buffer, which is already as large as the largest batch.
  void prepare(std::span<const std::uint32_t> instances, tailq::Batch& batch) override {
    for (std::size_t i = 0; i < instances.size(); ++i) {
      for (std::size_t f = 0; f < kFeatures; ++f) {
        batch.input[i * kFeatures + f] = points_[instances[i] * kFeatures + f];
      }
    }
    batch.size = instances.size();
    batch.shape[0] = static_cast<std::int64_t>(instances.size());
    batch.shape[1] = static_cast<std::int64_t>(kFeatures);
  }

 private:
  std::vector<float> points_;
  std::size_t n_;
  std::vector<std::string> classes_{"a", "b", "c"};
};

class NearestCentroid : public tailq::Backend {
 public:
  NearestCentroid() : centroids_(train(3000)) {}
  std::string description() const override { return "nearest centroid, plain C++ (example)"; }
  void infer(const tailq::Batch& batch, tailq::BatchOutput& out) override {
    const std::span<const float> input(batch.input);
    for (std::size_t i = 0; i < batch.size; ++i) {
      score(centroids_, input.subspan(i * kFeatures, kFeatures),
            std::span<float>(out.scores).subspan(i * out.width, kClasses));
    }
  }
  const Centroids& centroids() const { return centroids_; }

 private:
  Centroids centroids_;
};

}  // namespace

tailq::Workload make_centroid_workload(std::size_t instances) {
  tailq::Workload w;
  w.dataset = std::make_unique<PointsDataset>(instances);
  w.backend = std::make_unique<NearestCentroid>();
  w.model = "nearest-centroid";
  return w;
}

double expected_accuracy(std::size_t instances) {
  const std::vector<float> points = sample(instances, /*seed=*/1);
  const NearestCentroid model;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < instances; ++i) {
    std::array<float, kClasses> scores{};
    score(model.centroids(), std::span<const float>(points).subspan(i * kFeatures, kFeatures),
          scores);
    std::size_t best = 0;
    for (std::size_t c = 1; c < kClasses; ++c) {
      if (scores[c] > scores[best]) best = c;
    }
    correct += best == i % kClasses;
  }
  return static_cast<double>(correct) / static_cast<double>(instances);
}

}  // namespace example
