// The timed regions of the harness allocate nothing: this binary counts every call of the
// global operator new and runs rounds of a small workload with a backend that does no work.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "collect/measure.hpp"
#include "collect/sleep_workload.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace tailq {
namespace {

class EmptyBackend final : public Backend {
 public:
  std::string description() const override { return "empty"; }
  void infer(const Batch& batch, BatchOutput& out) override {
    for (std::size_t i = 0; i < batch.size * out.width; ++i)
      out.scores[i] = static_cast<float>(i % 7);
  }
};

TEST(Harness, TimedRoundsDoNotAllocate) {
  auto dataset = make_sleep_dataset(1000);
  EmptyBackend backend;
  for (std::size_t batch_size : {1u, 7u, 64u}) {
    detail::RoundBuffers buffers(*dataset, batch_size, 10);
    std::vector<std::uint32_t> order(1000);
    for (std::uint32_t i = 0; i < 1000; ++i) order[i] = 999 - i;
    std::atomic<bool> stop{false};
    ASSERT_TRUE(detail::measure_round(*dataset, backend, order, batch_size, buffers, stop));
    const std::size_t before = g_allocations.load();
    for (int round = 0; round < 5; ++round) {
      ASSERT_TRUE(detail::measure_round(*dataset, backend, order, batch_size, buffers, stop));
    }
    EXPECT_EQ(g_allocations.load(), before) << "batch size " << batch_size;
    for (double t : buffers.total_s) EXPECT_GE(t, 0.0);
    if (batch_size == 1) {
      // Every instance is row 0 of its batch: scores 0 1 2 3 4 5 6 0 1 2; ties keep the
      // lower class first.
      const std::vector<std::uint32_t> top(buffers.top.begin(), buffers.top.begin() + 5);
      EXPECT_EQ(top, (std::vector<std::uint32_t>{6, 5, 4, 3, 2}));
    }
  }
}

// A backend of text answers (as OCR gives): a line of typical length per instance.
class TextBackend final : public Backend {
 public:
  std::string description() const override { return "text"; }
  void infer(const Batch& batch, BatchOutput& out) override {
    for (std::size_t i = 0; i < batch.size; ++i) {
      out.texts[i] = i % 2 ? "a recognised line of some ninety characters, as long as the longest "
                             "generated ones"
                           : "short";
    }
  }
};

TEST(Harness, TextAnswersAreCopiedWithoutAllocating) {
  auto dataset = make_sleep_dataset(100);
  TextBackend backend;
  for (std::size_t batch_size : {1u, 8u}) {
    detail::RoundBuffers buffers(*dataset, batch_size, 0);  // no classes: text answers
    std::vector<std::uint32_t> order(100);
    for (std::uint32_t i = 0; i < 100; ++i) order[i] = i;
    std::atomic<bool> stop{false};
    const std::size_t before = g_allocations.load();
    for (int round = 0; round < 3; ++round) {
      ASSERT_TRUE(detail::measure_round(*dataset, backend, order, batch_size, buffers, stop));
    }
    EXPECT_EQ(g_allocations.load(), before) << "batch size " << batch_size;
    EXPECT_EQ(buffers.texts[0], "short");
    EXPECT_EQ(buffers.texts[1].substr(0, 12), batch_size == 1 ? "short" : "a recognised");
  }
}

TEST(Harness, StopsBeforeTheNextBatch) {
  auto dataset = make_sleep_dataset(10);
  EmptyBackend backend;
  detail::RoundBuffers buffers(*dataset, 1, 3);
  std::vector<std::uint32_t> order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::atomic<bool> stop{true};
  EXPECT_FALSE(detail::measure_round(*dataset, backend, order, 1, buffers, stop));
}

}  // namespace
}  // namespace tailq
