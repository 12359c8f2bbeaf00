// The round loop of an MPI job (rank_loop.hpp). Lock-step: after each step every rank waits for
// rank 0's word, so the slowest rank sets the pace, rank 0 alone writes the trace (a step's
// rounds in one transaction), and the stop rule sees each step before the next begins. A fixed
// number of rounds is exact: rounds of the last step past the limit are not stored.
#include "collect/rank_loop.hpp"

#include <algorithm>
#include <chrono>

#include "collect/round_driver.hpp"
#include "store/writer_access.hpp"

namespace tailq::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Rank 0 to the others: the next load level (or the end), and after each step what to do.
// (A failure is Ranks::fail's kJobFailed and the exit status.)
enum Word : std::uint8_t { kLevel, kEnd, kGo, kLevelDone, kMaxDuration, kInterrupted };
// A rank's step: its round, no round (it was stopped), or its error.
enum Step : std::uint8_t { kRound, kNoRound, kError };

// Each rank's rounds are numbered apart (2^40 apart), so that their shuffles and arrival
// streams, which the number picks, differ between ranks.
std::int64_t first_index(std::int64_t base, int rank) {
  return base + (static_cast<std::int64_t>(rank) << 40);
}

std::size_t round_bound(const RunSettings& s) { return s.warmup_rounds + s.max_rounds; }

struct Received {
  RoundRecord record;
  std::uint64_t hash = 0;
  std::vector<std::string> predictions;
};

void write_round(ByteWriter& out, const RoundRecord& r, std::uint64_t hash,
                 const std::vector<std::string>& predictions) {
  out.put(kRound);
  out.put(r.started_unix_s);
  out.put(r.ended_unix_s);
  out.put(hash);
  out.put_array<double>(r.inference_s);
  out.put_array<double>(r.total_s);
  out.put_array<QueryTiming>(r.timings);
  out.put<std::uint64_t>(predictions.size());
  for (const std::string& p : predictions) out.put_string(p);
}

void read_round(ByteReader& in, Received& into) {
  RoundRecord& r = into.record;
  r.started_unix_s = in.get<double>();
  r.ended_unix_s = in.get<double>();
  into.hash = in.get<std::uint64_t>();
  in.get_array(r.inference_s);
  in.get_array(r.total_s);
  in.get_array(r.timings);
  into.predictions.resize(in.get<std::uint64_t>());
  for (std::string& p : into.predictions) p = in.get_string();
}

ByteWriter word(Word w, bool have_predictions) {
  ByteWriter out;
  out.put(w);
  out.put<std::uint8_t>(have_predictions);
  return out;
}

}  // namespace

RunResult lead_rounds(Ranks& ranks, Session& s, std::span<const std::uint32_t> node_of_rank,
                      const std::function<void(const RunProgress&)>& progress) {
  const auto levels = load_levels(s.settings);
  const std::atomic<bool>& stop = stop_flag();
  RunResult result = start_result(s);
  result.ranks = ranks.size();
  std::vector<double> issue_delays;
  const LoopClock clock;
  std::size_t rounds_here = 0;
  bool all_met = true;
  bool stopped = false;
  double store_s = 0;
  Received own, theirs;

  // Stores one rank's round of the step, unless the level has had its rounds (the stop rule is
  // judged once the step is committed: rounds of the step after the one that met it are kept).
  bool look_due = false;
  auto store = [&](Received& r, int rank, bool warmup) {
    if (!warmup && s.measured >= s.settings.max_rounds) return;
    const auto began = Clock::now();
    std::vector<std::string> none;
    store_round(s, r.record, warmup, levels[s.level], r.hash,
                s.have_predictions ? none : r.predictions,
                node_of_rank[static_cast<std::size_t>(rank)]);
    store_s += std::chrono::duration<double>(Clock::now() - began).count();
    ++rounds_here;
    if (warmup) return;
    look_due = count_measured(s, r.record, /*defer_look=*/true) || look_due;
    for (const QueryTiming& t : r.record.timings)
      issue_delays.push_back(t.issued_s - t.scheduled_s);
  };
  // One transaction per step: one sync of the disk for the rounds of every rank.
  auto commit = [&] {
    const auto began = Clock::now();
    store::WriterAccess::commit_group(s.writer);
    store_s += std::chrono::duration<double>(Clock::now() - began).count();
    if (look_due) s.precision = look_at_precision(s);
    look_due = false;
  };

  // The end of a level reads the trace (the precision rule's last look): a failure there ends
  // the job too, on the ranks still waiting for rank 0's word.
  auto end_level = [&] {
    const auto failure =
        attempt([&] { close_level(s, result, stopped, all_met, levels.size()); }, "");
    if (!failure) return;
    if (!stopped) ranks.fail(*failure);
    ranks.set_agreed();  // the other ranks have ended already
    rethrow(*failure);
  };

  for (; s.level < levels.size() && !stopped; ++s.level) {
    if (level_done(s)) {
      end_level();
      continue;
    }
    ByteWriter start;
    start.put(kLevel);
    start.put<std::uint64_t>(s.level);
    start.put<std::int64_t>(s.next_index);
    start.put<std::uint8_t>(s.have_predictions);
    ranks.broadcast(start);
    std::unique_ptr<RoundDriver> driver;
    std::optional<Failure> failure = attempt(
        [&] {
          driver = make_driver(s.settings, s.workloads, levels[s.level],
                               first_index(s.next_index, 0), round_bound(s.settings), stop);
        },
        "");
    std::int64_t local = first_index(s.next_index, 0);
    for (std::size_t warm = 0;; ++warm) {
      const bool warmup = warm < s.settings.warmup_rounds;
      bool measured = false, interrupted = false;
      if (!failure) {
        failure = attempt([&] { measured = driver->next_round(local++, own.record); }, "");
      }
      if (!failure) failure = attempt([&] { store::WriterAccess::begin_group(s.writer); }, "");
      if (measured && !failure) {
        own.record.ended_unix_s = unix_seconds_now();
        own.hash = output_hash(own.record);
        own.predictions.clear();
        if (!warmup && !s.have_predictions) {
          own.predictions = predictions_of(own.record, *s.workloads.front().dataset);
        }
        failure = attempt([&] { store(own, 0, warmup); }, "");
      } else if (!failure) {
        interrupted = true;
      }
      for (int r = 1; r < ranks.size(); ++r) {
        const std::string bytes = ranks.receive(r);
        ByteReader in(bytes);
        const auto step = in.get<Step>();
        if (step == kError) {
          Failure f = Failure::read(in);
          if (!failure) failure = std::move(f);
        } else if (step == kNoRound) {
          interrupted = true;
        } else if (!failure) {
          read_round(in, theirs);
          failure = attempt([&] { store(theirs, r, warmup); }, "");
        }
      }
      if (!failure) failure = attempt(commit, "");
      if (failure) ranks.fail(*failure);
      const bool next_warmup = warm + 1 < s.settings.warmup_rounds;
      Word next = kGo;
      if (interrupted) {
        next = kInterrupted;
        result.stop = RunResult::Stop::interrupted;
      } else if (!next_warmup && level_done(s)) {
        next = kLevelDone;
      } else if (!next_warmup && s.settings.max_duration_s > 0 &&
                 clock.seconds() >= s.settings.max_duration_s) {
        next = kMaxDuration;
        result.stop = RunResult::Stop::max_duration;
      }
      ranks.broadcast(word(next, s.have_predictions));
      if (progress) {
        progress(progress_after_round(s, warmup, levels[s.level], rounds_here, clock.seconds()));
      }
      if (next == kGo) continue;
      stopped = next != kLevelDone;
      break;
    }
    end_level();
  }
  if (!stopped) ranks.broadcast(word(kEnd, s.have_predictions));
  ranks.set_agreed();
  close_run(s, result, rounds_here, issue_delays, stopped, all_met);
  result.elapsed_s = clock.seconds();
  result.receive_s = ranks.transport().receive_busy_s();
  result.store_s = store_s;
  return result;
}

RunResult follow_rounds(Ranks& ranks, const RunSettings& settings,
                        std::vector<Workload>& workloads) {
  const auto levels = load_levels(settings);
  const std::atomic<bool>& stop = stop_flag();
  const Dataset& dataset = *workloads.front().dataset;
  RunResult result;
  result.settings = settings;
  RoundRecord record;
  std::vector<std::string> predictions;
  for (;;) {
    std::string bytes = ranks.receive(0);
    ByteReader start(bytes);
    const auto first = start.get<std::uint8_t>();
    if (first == kJobFailed) ranks.failed(start.get<std::uint8_t>());
    if (first != kLevel) break;
    const auto level = static_cast<std::size_t>(start.get<std::uint64_t>());
    const std::int64_t base = first_index(start.get<std::int64_t>(), ranks.rank());
    bool have_predictions = start.get<std::uint8_t>() != 0;
    std::unique_ptr<RoundDriver> driver;
    std::optional<Failure> failure = attempt(
        [&] {
          driver =
              make_driver(settings, workloads, levels.at(level), base, round_bound(settings), stop);
        },
        ranks.where());
    std::int64_t local = base;
    for (std::size_t warm = 0;; ++warm) {
      const bool warmup = warm < settings.warmup_rounds;
      bool measured = false;
      if (!failure) {
        failure = attempt([&] { measured = driver->next_round(local++, record); }, ranks.where());
      }
      ByteWriter out;
      if (failure) {
        out.put(kError);
        failure->write(out);
      } else if (!measured) {
        out.put(kNoRound);
      } else {
        record.ended_unix_s = unix_seconds_now();
        predictions.clear();
        if (!warmup && !have_predictions) predictions = predictions_of(record, dataset);
        write_round(out, record, output_hash(record), predictions);
      }
      ranks.send(0, out);
      bytes = ranks.receive(0);
      ByteReader answer(bytes);
      const auto w = answer.get<std::uint8_t>();
      if (w == kJobFailed) ranks.failed(answer.get<std::uint8_t>());
      have_predictions = answer.get<std::uint8_t>() != 0;
      if (w == kGo) continue;
      if (w == kLevelDone) break;
      result.stop =
          w == kInterrupted ? RunResult::Stop::interrupted : RunResult::Stop::max_duration;
      ranks.set_agreed();
      return result;
    }
  }
  ranks.set_agreed();
  return result;
}

}  // namespace tailq::detail
