// Rounds that carry their node and end time (an MPI job's trace, docs/multi-node.md and
// docs/trace-format.md "Round blocks"): they read back exactly, in packed and one-round blocks,
// make the node map, change the node list only through the writer (header checksum kept), and a
// round naming a node the list lacks is reported; merging such a trace keeps its nodes.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "store/writer_access.hpp"
#include "tailq/check.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

constexpr const char* kTwoNodes =
    R"({"nodes":{"nodes":[{"host":"a","source":"rank 0"},{"host":"b","source":"rank 1"}],)"
    R"("tagged":true}})";

struct Shape {
  Experiment experiment{"m", "d", "b", "accuracy"};
  std::vector<Instance> instances;
  Outcomes outcomes;
  explicit Shape(const std::string& extra = kTwoNodes) {
    experiment.extra_json = extra;
    for (int i = 0; i < 3; ++i) {
      instances.push_back({"i" + std::to_string(i), static_cast<std::uint32_t>(i), std::nullopt});
      outcomes.labels.push_back("x");
      outcomes.predictions.push_back("x");
    }
  }
};

RoundInfo info_of(std::int64_t r) { return {r, r == 0, 1000.0 + static_cast<double>(r)}; }
std::vector<double> times_of(std::int64_t r) {
  return {1e-3 * static_cast<double>(r + 1), 2e-3, 3e-3};
}
// Rounds 0 and 1 untagged (node 0, as a trace continued by a job has them), then nodes 1, 0, 1,
// 1, ... each ending half a second after its start.
RoundExtras tags_of(std::int64_t r) {
  RoundExtras extras;
  if (r < 2) return extras;
  extras.node = r % 3 == 0 ? 0u : 1u;
  extras.ended_unix_s = info_of(r).started_unix_s + 0.5;
  return extras;
}

void write(const std::filesystem::path& path, const Shape& s, bool bulk, std::int64_t rounds,
           bool tagged = true) {
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes, !bulk);
  for (std::int64_t r = 0; r < rounds; ++r) {
    w.append_round(info_of(r), times_of(r), times_of(r), tagged ? tags_of(r) : RoundExtras{});
  }
  w.close();
}

TEST(NodeTags, ReadBackExactlyAndMakeTheNodeMap) {
  for (const bool bulk : {true, false}) {
    testing::TempDir dir;
    const auto path = dir / "tagged.trace";
    write(path, Shape(), bulk, 8);
    const TraceReader t(path);
    ASSERT_EQ(t.round_nodes().size(), 8u);
    ASSERT_EQ(t.round_ends().size(), 8u);
    for (std::int64_t r = 0; r < 8; ++r) {
      const auto k = static_cast<std::size_t>(r);
      EXPECT_EQ(t.round_nodes()[k], tags_of(r).node.value_or(0)) << r;
      if (r < 2) {
        EXPECT_TRUE(std::isnan(t.round_ends()[k]));
      } else {
        EXPECT_EQ(t.round_ends()[k], *tags_of(r).ended_unix_s);
      }
      EXPECT_EQ(t.rounds()[k].started_unix_s, info_of(r).started_unix_s);
    }
    const auto map = node_map(t);
    ASSERT_TRUE(map && map->tagged);
    ASSERT_EQ(map->nodes.size(), 2u);
    EXPECT_EQ(map->nodes[1].label(), "b (rank 1)");
    // Nodes 0 0 1 0 1 1 0 1.
    ASSERT_EQ(map->runs.size(), 6u);
    EXPECT_EQ(map->runs[0].last_round, 1);
    EXPECT_EQ(map->node_of(4), 1u);
    EXPECT_EQ(map->node_of(5), 1u);
    EXPECT_EQ(map->node_of(6), 0u);
    const TraceCheck check = check_trace(path);
    EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  }
}

TEST(NodeTags, AnUntaggedTraceKeepsItsReaderUnchanged) {
  testing::TempDir dir;
  const auto path = dir / "plain.trace";
  const Shape s("{}");
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes);
  w.append_round(info_of(0), times_of(0), times_of(0));
  w.close();
  const TraceReader t(path);
  EXPECT_TRUE(t.round_nodes().empty());
  EXPECT_TRUE(t.round_ends().empty());
  EXPECT_FALSE(node_map(t));
}

TEST(NodeTags, TheNodeListChangesThroughTheWriterWithItsChecksum) {
  testing::TempDir dir;
  const auto path = dir / "grow.trace";
  write(path, Shape(), false, 4);
  auto w = TraceWriter::open_existing(path);
  const std::string three =
      R"({"nodes":{"nodes":[{"host":"a","source":"rank 0"},{"host":"b","source":"rank 1"},)"
      R"({"host":"c","source":"rank 2"}],"tagged":true}})";
  store::WriterAccess::set_extra(w, three);
  RoundExtras extras;
  extras.node = 2u;
  extras.ended_unix_s = 1005.0;
  w.append_round(info_of(4), times_of(4), times_of(4), extras);
  w.close();
  EXPECT_TRUE(check_trace(path).ok());
  const TraceReader t(path);
  const auto map = node_map(t);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->nodes.size(), 3u);
  EXPECT_EQ(map->node_of(4), 2u);
}

TEST(NodeTags, ARoundOfANodeNotInTheListIsReported) {
  testing::TempDir dir;
  const auto path = dir / "stray.trace";
  const Shape s;
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes);
  RoundExtras extras;
  extras.node = 5u;
  w.append_round(info_of(0), times_of(0), times_of(0), extras);
  w.close();
  const TraceCheck check = check_trace(path);
  ASSERT_FALSE(check.ok());
  EXPECT_NE(check.problems.front().find("round 0: node 5 is not in the node list (2 nodes)"),
            std::string::npos)
      << check.problems.front();
  EXPECT_THROW(TraceReader{path}, StoreError);

  const auto bare = dir / "bare.trace";
  const Shape none("{}");
  auto v = TraceWriter::create(bare, none.experiment, none.instances, none.outcomes);
  v.append_round(info_of(0), times_of(0), times_of(0), extras);
  v.close();
  const TraceCheck unlisted = check_trace(bare);
  ASSERT_FALSE(unlisted.ok());
  EXPECT_NE(unlisted.problems.front().find("experiment has no node list"), std::string::npos);
}

TEST(NodeTags, WhatCannotBeStoredIsRefused) {
  testing::TempDir dir;
  const Shape s;
  auto w = TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes);
  RoundExtras early;
  early.ended_unix_s = info_of(0).started_unix_s - 1;
  EXPECT_THROW(w.append_round(info_of(0), times_of(0), times_of(0), early), InputError);
  auto v2 =
      store::WriterAccess::create(dir / "v2.trace", s.experiment, s.instances, s.outcomes, true, 2);
  RoundExtras tagged;
  tagged.node = 1u;
  EXPECT_THROW(v2.append_round(info_of(0), times_of(0), times_of(0), tagged), StoreError);
}

// An MPI job's step: rounds committed together, as one block; a round of the group that fails
// takes the whole group with it, and the writer goes on after the rounds committed before.
TEST(NodeTags, AGroupOfRoundsIsCommittedWholeOrNotAtAll) {
  testing::TempDir dir;
  const auto path = dir / "groups.trace";
  const Shape s;
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes);
  store::WriterAccess::begin_group(w);
  for (std::int64_t r = 0; r < 3; ++r)
    w.append_round(info_of(r), times_of(r), times_of(r), tags_of(r));
  store::WriterAccess::commit_group(w);
  store::WriterAccess::begin_group(w);
  w.append_round(info_of(3), times_of(3), times_of(3), tags_of(3));
  const std::vector<double> bad = {1.0, -1.0, 1.0};
  EXPECT_THROW(w.append_round(info_of(4), bad, bad, tags_of(4)),
               InputError);  // refused, nothing stored
  std::vector<double> short_times = {1.0};
  EXPECT_THROW(w.append_round(info_of(4), short_times, short_times), StoreError);
  store::WriterAccess::commit_group(w);
  w.append_round(info_of(3), times_of(3), times_of(3), tags_of(3));
  w.close();
  const TraceReader t(path);
  ASSERT_EQ(t.rounds().size(), 4u);
  EXPECT_EQ(t.rounds().back().index, 3);
  EXPECT_EQ(t.round_nodes()[3], 0u);
  EXPECT_TRUE(check_trace(path).ok());
}

TEST(NodeTags, AMergedTaggedTraceKeepsItsNodes) {
  testing::TempDir dir;
  write(dir / "job.trace", Shape(), false, 5);
  write(dir / "solo.trace", Shape("{}"), false, 3, false);
  const NodeMap map = merge_traces({{dir / "job.trace", dir / "solo.trace"}, dir / "all.trace"});
  ASSERT_EQ(map.nodes.size(), 3u);
  EXPECT_EQ(map.nodes[2].source, (dir / "solo.trace").string());
  const TraceReader t(dir / "all.trace");
  EXPECT_TRUE(t.round_nodes().empty());  // a merged trace keeps runs
  const auto read = node_map(t);
  ASSERT_TRUE(read && !read->tagged);
  // job.trace: nodes 0 0 1 0 1; solo.trace: node 2.
  for (std::int64_t r = 0; r < 8; ++r) {
    const std::uint32_t want[] = {0, 0, 1, 0, 1, 2, 2, 2};
    EXPECT_EQ(read->node_of(r), want[r]) << r;
  }
  EXPECT_TRUE(check_trace(dir / "all.trace").ok());
}

}  // namespace
}  // namespace tailq
