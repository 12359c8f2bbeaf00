// Regression tests for the inputs that fuzzing exercises: option values that once ran away
// (a CPU range to 2^31, a sweep step of 1e-300, a warm-up range to 2^63, a sleep of 1e300 s),
// and trace settings of the wrong shape. Each must end in one InputError, fast.
#include <gtest/gtest.h>

#include "collect/sleep_workload.hpp"
#include "tailq/error.hpp"
#include "tailq/import.hpp"
#include "tailq/options.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

using testing::ThrowsInputError;

TEST(Options, CpuListsAreBoundedAndOrdered) {
  EXPECT_EQ(parse_cpu_list("0-1,3"), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(parse_cpu_list("7"), (std::vector<int>{7}));
  // Once a loop over 2^31 CPUs (and an overflow at its end).
  EXPECT_TRUE(ThrowsInputError([] { parse_cpu_list("0-2147483647"); }, {"CPU number", "0-1023"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_cpu_list("3-1"); }, {"'3-1'"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_cpu_list("1,,2"); }, {"''", "CPU number"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_cpu_list(" 1"); }, {"' 1'"}));
}

TEST(Options, DurationsRatesAndSweeps) {
  EXPECT_EQ(parse_duration("90"), 90);
  EXPECT_EQ(parse_duration("5m"), 300);
  EXPECT_EQ(parse_duration("1h"), 3600);
  for (const char* bad : {"nan", "inf", "1e308h", "-1s", "5 m", "m", ""}) {
    EXPECT_TRUE(ThrowsInputError([&] { parse_duration(bad); }, {"not a duration"})) << bad;
  }
  EXPECT_EQ(parse_rate_list("50,100"), (std::vector<double>{50, 100}));
  EXPECT_EQ(parse_rate_sweep("50:200:50"), (std::vector<double>{50, 100, 150, 200}));
  // Once a cast of 1e600 to size_t: undefined behaviour.
  EXPECT_TRUE(ThrowsInputError([] { parse_rate_sweep("1:1e300:1e-300"); }, {"more than 1000"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_rate("1e400"); }, {"not a positive rate"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_rate("100x"); }, {"'100x'"}));
  EXPECT_EQ(parse_time_value("2ms"), 0.002);
  EXPECT_EQ(parse_count("12", 1, 20), 12u);
  EXPECT_TRUE(ThrowsInputError([] { parse_count("0", 1); }, {"whole number from 1 up"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_count("2.5"); }, {"'2.5'"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_count("-1"); }, {"'-1'"}));
}

TEST(Options, RoundListsAreBounded) {
  EXPECT_EQ(parse_round_list("0-2,7"), (std::vector<std::int64_t>{0, 1, 2, 7}));
  // Once 2^63 insertions into a set.
  EXPECT_TRUE(ThrowsInputError([] { parse_round_list("0-9223372036854775807"); },
                               {"more than 1000000"}));
}

TEST(Options, SleepLawsStayWithinTheClock) {
  EXPECT_EQ(parse_sleep_law("lognormal:2ms:0.25").b, 0.25);
  // Once a wait of 1e300 s: an overflow converting it to the clock's duration.
  EXPECT_TRUE(ThrowsInputError([] { parse_sleep_law("const:1e300"); }, {"at most 1h"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_sleep_law("lognormal:1ms:inf"); }, {"sigma"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_sleep_law("lognormal:1ms:0.5x"); }, {"sigma"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_sleep_law("lognormal:1ms:nan"); }, {"sigma"}));
}

// A trace whose settings are JSON of another shape (another tool's, or a bad edit) is refused
// with an InputError, not a JSON type error.
TEST(Options, ResumeRefusesSettingsOfTheWrongShape) {
  testing::TempDir dir;
  Experiment e{"m", "d", "b", "accuracy"};
  e.settings_json = R"({"workload":"sleep","batch_size":"four"})";
  std::vector<Instance> instances(1);
  Outcomes o;
  o.labels = {"ok"};
  o.predictions = {"ok"};
  TraceWriter::create(dir / "t.trace", e, instances, o).close();
  EXPECT_TRUE(ThrowsInputError([&] { resume_experiment(dir / "t.trace", {}); },
                               {"recorded batch_size is unusable", "cannot resume"}));
}

}  // namespace
}  // namespace tailq
