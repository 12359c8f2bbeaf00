// The Recorder's contract in C++ (the Python tests in python/tests/ cover it end to end): what
// is recorded is what the trace holds, a bad round stores nothing, calls out of order throw.
#include "tailq/recorder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "test_util.hpp"

namespace tailq {
namespace {

using testing::TempDir;
using testing::ThrowsInputError;
using Ids = std::vector<std::uint32_t>;

RecorderOptions options(const std::filesystem::path& path, std::vector<std::uint32_t> batches) {
  RecorderOptions o;
  o.path = path;
  o.instance_names = {"a", "b", "c", "d"};
  o.outcomes.labels = {"1", "2", "3", "4"};
  o.batch_of_instance = std::move(batches);
  o.warmup_rounds = 1;
  return o;
}

std::vector<double> times(const TraceReader& trace, std::int64_t round, TimeKind kind) {
  std::vector<double> out(trace.batch_count());
  trace.read_times(round, kind, out);
  return out;
}

TEST(Recorder, StoresWhatWasRecordedPerInstanceOrPerBatch) {
  TempDir dir;
  for (const bool fixed : {false, true}) {
    const auto path = dir / (fixed ? "fixed.trace" : "free.trace");
    {
      Recorder rec = Recorder::create(options(path, fixed ? Ids{0, 0, 1, 1} : Ids{}));
      for (int round = 0; round < 3; ++round) {
        rec.begin_round();
        rec.add_batch(Ids{1, 0}, 0.001 * round, 0.002 * round);
        rec.begin_batch(Ids{2, 3});
        rec.mark_pre();
        rec.mark_infer();
        rec.end_batch();
        const std::array<std::string, 4> answers = {"1", "2", "9", "4"};
        rec.record_predictions(Ids{0, 1, 2, 3}, answers);
        rec.end_round();
      }
      EXPECT_EQ(rec.measured_rounds(), 2u);
      EXPECT_FALSE(rec.converged());
    }
    const TraceReader trace(path);
    ASSERT_EQ(trace.rounds().size(), 3u);
    EXPECT_TRUE(trace.rounds()[0].warmup);
    EXPECT_EQ(trace.batch_count(), fixed ? 2u : 4u);
    const auto inference = times(trace, 2, TimeKind::inference);
    const auto total = times(trace, 2, TimeKind::total);
    EXPECT_EQ(inference[0], 0.002);
    EXPECT_EQ(total[0], 0.004);
    EXPECT_LE(inference.back(), total.back());
    EXPECT_EQ(trace.outcomes().predictions, (std::vector<std::string>{"1", "2", "9", "4"}));
  }
}

TEST(Recorder, ABadRoundStoresNothingAndBadCallsChangeNothing) {
  TempDir dir;
  Recorder rec = Recorder::create(options(dir / "t.trace", {}));
  EXPECT_THROW(rec.begin_batch(Ids{0}), UsageError);
  rec.begin_round();
  EXPECT_THROW(rec.begin_round(), UsageError);
  EXPECT_TRUE(ThrowsInputError([&] { rec.add_batch(Ids{0, 9}, 0, 0); }, {"9 is not an instance"}));
  EXPECT_TRUE(ThrowsInputError([&] { rec.add_batch(Ids{0, 0}, 0, 0); }, {"'a'", "twice"}));
  EXPECT_TRUE(ThrowsInputError([&] { rec.add_batch(Ids{0}, 0.2, 0.1); }, {"inference <= total"}));
  rec.add_batch(Ids{0, 1, 2}, 0.001, 0.001);  // nothing above claimed instance 0
  EXPECT_TRUE(ThrowsInputError([&] { rec.end_round(); }, {"1 of 4", "'d'", "round dropped"}));
  EXPECT_FALSE(rec.in_round());
  rec.begin_round();
  rec.begin_batch(Ids{0, 1, 2, 3});
  EXPECT_THROW(rec.end_batch(), UsageError);  // no mark_infer
  EXPECT_FALSE(rec.in_batch());
  rec.add_batch(Ids{0, 1, 2, 3}, 0.001, 0.001);
  rec.end_round();
  rec.close();
  EXPECT_THROW(rec.begin_round(), UsageError);
  const TraceReader trace(dir / "t.trace");
  ASSERT_EQ(trace.rounds().size(), 1u);
  EXPECT_EQ(trace.rounds()[0].index, 0);
}

TEST(Recorder, FixedBatchesMustBeDeclaredBatches) {
  TempDir dir;
  Recorder rec = Recorder::create(options(dir / "t.trace", {0, 0, 1, 1}));
  rec.begin_round();
  EXPECT_TRUE(ThrowsInputError([&] { rec.add_batch(Ids{0, 2}, 0, 0); }, {"different declared"}));
  EXPECT_TRUE(ThrowsInputError([&] { rec.add_batch(Ids{0}, 0, 0); }, {"has 2 instances"}));
  rec.add_batch(Ids{1, 0}, 0, 0);
  rec.add_batch(Ids{3, 2}, 0, 0);
  rec.end_round();
}

TEST(Recorder, ResumeContinuesTheIndicesAndTheMonitors) {
  TempDir dir;
  const auto path = dir / "t.trace";
  {
    RecorderOptions o = options(path, {});
    o.warmup_rounds = 0;
    Recorder rec = Recorder::create(o);
    for (int round = 0; round < 2; ++round) {
      rec.begin_round();
      rec.add_batch(Ids{0, 1, 2, 3}, 0.001, 0.001);
      rec.end_round();
    }
  }
  Recorder rec = Recorder::resume(path, {});
  EXPECT_EQ(rec.measured_rounds(), 2u);
  EXPECT_EQ(rec.round_index(), 2);
  EXPECT_TRUE(rec.round_is_warmup());
  EXPECT_EQ(rec.inference_monitor().rounds(), 2u);
  RecorderOptions exists = options(path, {});
  EXPECT_TRUE(ThrowsInputError([&] { Recorder::create(exists); }, {"t.trace' exists"}));
}

}  // namespace
}  // namespace tailq
