// The load scenarios: a generator thread issues queries on a schedule (Poisson arrivals for
// server, a fixed interval for multi-stream, everything at once for offline) into one FIFO
// queue, and W worker threads, each with its own model instance, serve it, batching
// dynamically up to max_batch. Every time is taken from one monotonic clock, and latency runs
// from a query's *scheduled* arrival: when the workers fall behind, the generator does not
// wait for them (no coordinated omission), and a query issued late by the generator still
// counts from when it was due.
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <pcg_random.hpp>
#include <random>
#include <thread>

#include "collect/measure.hpp"
#include "collect/round_driver.hpp"

namespace tailq::detail {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct RoundState {
  std::int64_t index = 0;
  std::vector<std::uint32_t> order;  // issue order of the instances
  Clock::time_point origin;          // the first scheduled arrival
  double started_unix_s = 0;
  std::vector<QueryTiming> timings;  // per instance, from origin
  std::vector<std::uint32_t> top;    // kTopK per instance
  std::vector<std::string> texts;    // per instance, when the answers are text or detections
  std::vector<std::uint8_t> failed;  // per instance: 1 when it got no answer
  // Per instance: the inference time its backend reported (BatchOutput::reported_inference_s),
  // NaN when none.
  std::vector<double> reported_inference_s;
  std::atomic<std::size_t> pending{0};
};

struct Query {
  RoundState* round;
  std::uint32_t instance;
  Clock::time_point scheduled, issued;
};

class LoadDriver final : public RoundDriver {
 public:
  LoadDriver(std::vector<Workload*> workers, const RunSettings& settings,
             std::optional<double> offered_qps, std::int64_t first_round, std::size_t rounds,
             const std::atomic<bool>& stop)
      : settings_(settings),
        load_(settings.load),
        offered_qps_(offered_qps),
        n_(workers.front()->dataset->size()),
        text_answers_(workers.front()->dataset->classes().empty()),
        text_capacity_(answer_capacity(*workers.front()->dataset)),
        first_round_(first_round),
        round_limit_(rounds),
        stop_(stop) {
    for (Workload* w : workers) {
      threads_.emplace_back([this, w] { guarded([&] { serve(*w->dataset, *w->backend); }); });
    }
    threads_.emplace_back([this] { guarded([&] { generate(); }); });
  }

  ~LoadDriver() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      stop_spinning_.store(true, std::memory_order_release);
    }
    work_.notify_all();
    done_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  bool next_round(std::int64_t index, RoundRecord& record) override {
    std::unique_ptr<RoundState> round;
    {
      std::unique_lock lock(mutex_);
      // Polls the stop flag: a signal handler cannot notify a condition variable.
      while (!(!rounds_.empty() && rounds_.front()->pending.load(std::memory_order_acquire) == 0)) {
        if (error_) std::rethrow_exception(error_);
        if (stop_.load(std::memory_order_relaxed)) return false;
        done_.wait_for(lock, std::chrono::milliseconds(20));
      }
      round = std::move(rounds_.front());
      rounds_.pop_front();
    }
    done_.notify_all();  // offline: the generator may issue the next round
    if (round->index != index) {
      throw std::logic_error("load driver: rounds consumed out of order");
    }
    record.started_unix_s = round->started_unix_s;
    record.timings = round->timings;
    record.top = round->top;
    record.texts = round->texts;
    record.failed = round->failed;
    record.failures = static_cast<std::size_t>(
        std::count(round->failed.begin(), round->failed.end(), std::uint8_t{1}));
    if (record.failures > 0) {
      std::lock_guard lock(mutex_);
      record.last_failure = last_failure_;
    }
    record.inference_s.resize(n_);
    record.total_s.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const QueryTiming& t = round->timings[i];
      const double reported = round->reported_inference_s[i];
      record.inference_s[i] = std::isnan(reported) ? t.finished_s - t.started_s : reported;
      record.total_s[i] = t.finished_s - t.scheduled_s;
    }
    // Multi-stream: a query of K instances is answered when its slowest instance is.
    if (load_.scenario == Scenario::multi_stream) {
      const std::size_t k = load_.queries_per_interval;
      for (std::size_t first = 0; first < n_; first += k) {
        const std::size_t last = std::min(n_, first + k);
        double finished = 0;
        for (std::size_t j = first; j < last; ++j) {
          finished = std::max(finished, round->timings[round->order[j]].finished_s);
        }
        for (std::size_t j = first; j < last; ++j) {
          const std::uint32_t i = round->order[j];
          record.total_s[i] = finished - round->timings[i].scheduled_s;
        }
      }
    }
    return true;
  }

 private:
  // Sleeps until shortly before `t`, then spins: the OS wakes sleepers late (by the timer
  // slack, set to its minimum for this thread, and the scheduler), and the schedule is what
  // the generator is judged by. A short spin leaves the cores to the workers.
  void wait_until(Clock::time_point t) const {
    const auto spin_from = t - std::chrono::microseconds(30);
    if (Clock::now() < spin_from) std::this_thread::sleep_until(spin_from);
    while (Clock::now() < t) {
    }
  }

  // A backend that throws on a worker thread stops the run; next_round() rethrows it.
  template <class F>
  void guarded(F&& body) {
    try {
      body();
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        stopping_ = true;
        stop_spinning_.store(true, std::memory_order_release);
      }
      work_.notify_all();
      done_.notify_all();
    }
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  // Queues instances due at `scheduled` at once: a worker never sees part of a query.
  void issue(RoundState& round, std::span<const std::uint32_t> instances,
             Clock::time_point scheduled) {
    {
      std::lock_guard lock(mutex_);
      const auto now = Clock::now();
      for (std::uint32_t i : instances) queue_.push_back({&round, i, scheduled, now});
      queued_.store(queue_.size(), std::memory_order_release);
    }
    if (instances.size() == 1) {
      work_.notify_one();
    } else {
      work_.notify_all();
    }
  }

  std::unique_ptr<RoundState> new_round(std::size_t k, Clock::time_point origin) {
    auto round = std::make_unique<RoundState>();
    round->index = first_round_ + static_cast<std::int64_t>(k);
    round->order.resize(n_);
    std::iota(round->order.begin(), round->order.end(), 0u);
    if (settings_.shuffle_seed) {
      pcg32 rng(*settings_.shuffle_seed, static_cast<std::uint64_t>(round->index));
      std::shuffle(round->order.begin(), round->order.end(), rng);
    }
    round->origin = origin;
    round->started_unix_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() +
        seconds(origin - Clock::now());
    round->timings.resize(n_);
    round->top.resize(kTopK * n_);
    round->failed.assign(n_, 0);
    round->reported_inference_s.assign(n_, std::numeric_limits<double>::quiet_NaN());
    if (text_answers_) {
      round->texts.resize(n_);
      for (std::string& t : round->texts) t.reserve(text_capacity_);
    }
    round->pending.store(n_, std::memory_order_relaxed);
    return round;
  }

  void generate() {
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // 1 ns instead of the default 50 us
    // One Poisson stream per offered load; rounds follow each other without a pause, so the
    // queue a round finds is the one the previous round left.
    pcg32 rng(load_.arrival_seed, static_cast<std::uint64_t>(first_round_));
    const double rate = offered_qps_.value_or(1.0);
    std::exponential_distribution<double> gap(rate);
    auto next = Clock::now() + std::chrono::milliseconds(1);
    for (std::size_t k = 0; k < round_limit_ && !stopping(); ++k) {
      if (load_.scenario == Scenario::offline) next = Clock::now();
      auto owned = new_round(k, next);
      RoundState& round = *owned;
      {
        std::lock_guard lock(mutex_);
        rounds_.push_back(std::move(owned));
      }
      switch (load_.scenario) {
        case Scenario::server:
          for (std::uint32_t i : round.order) {
            wait_until(next);
            if (stopping()) return;
            issue(round, std::span(&i, 1), next);
            next += std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(gap(rng)));
          }
          break;
        case Scenario::multi_stream: {
          const auto interval = std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(load_.interval_s));
          for (std::size_t j = 0; j < n_; j += load_.queries_per_interval) {
            wait_until(next);
            if (stopping()) return;
            const std::size_t last = std::min(n_, j + load_.queries_per_interval);
            issue(round, std::span(round.order).subspan(j, last - j), next);
            next += interval;
          }
          break;
        }
        case Scenario::offline: {
          issue(round, round.order, next);
          // The next round is issued when this one is answered. next_round() may already have
          // taken the round and freed it: it is only looked at while it is still queued (found
          // under the lock, it cannot be freed meanwhile). ThreadSanitizer found the read of a
          // freed round here.
          std::unique_lock lock(mutex_);
          done_.wait(lock, [&] {
            if (stopping_) return true;
            const bool queued = std::any_of(rounds_.begin(), rounds_.end(),
                                            [&](const auto& r) { return r.get() == &round; });
            return !queued || round.pending.load(std::memory_order_acquire) == 0;
          });
          if (stopping_) return;
          break;
        }
        case Scenario::single_stream:
          return;  // not a load scenario
      }
    }
  }

  // --busy-poll: waits for work without the lock or the condition variable. False: stopping.
  bool spin_until_queued() const {
    while (queued_.load(std::memory_order_acquire) == 0) {
      if (stop_spinning_.load(std::memory_order_acquire)) return false;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();  // lets the sibling hyper-thread run while this one polls
#endif
    }
    return true;
  }

  void serve(Dataset& dataset, Backend& backend) {
    const std::size_t max_batch = load_.max_batch;
    const std::size_t classes = dataset.classes().size();
    std::size_t per_instance = 1;
    for (std::int64_t d : dataset.instance_shape()) per_instance *= static_cast<std::size_t>(d);
    Batch batch;
    batch.input.resize(per_instance * max_batch);
    batch.shape.resize(dataset.instance_shape().size() + 1);
    batch.images.resize(max_batch);
    BatchOutput output;
    output.scores.resize(classes * max_batch);
    output.width = classes;
    if (classes == 0) {
      output.texts.resize(max_batch);
      for (std::string& t : output.texts) t.reserve(answer_capacity(dataset));
    }
    std::vector<Query> taken;
    taken.reserve(max_batch);
    std::vector<std::uint32_t> ids(max_batch);
    const auto timeout = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(load_.batch_timeout_s));

    while (true) {
      if (load_.busy_poll && !spin_until_queued()) return;
      {
        std::unique_lock lock(mutex_);
        if (load_.busy_poll && !stopping_ && queue_.empty()) continue;  // another worker won
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        // Dynamic batching: wait a little for the batch to fill, from the oldest query's issue.
        if (max_batch > 1 && timeout.count() > 0) {
          const auto until = queue_.front().issued + timeout;
          while (!stopping_ && !queue_.empty() && queue_.size() < max_batch &&
                 Clock::now() < until) {
            work_.wait_until(lock, until);
          }
          if (stopping_) return;
          if (queue_.empty()) continue;  // another worker took them
        }
        const std::size_t count = std::min(max_batch, queue_.size());
        taken.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        queued_.store(queue_.size(), std::memory_order_release);
        if (!queue_.empty()) work_.notify_one();
      }
      for (std::size_t j = 0; j < taken.size(); ++j) ids[j] = taken[j].instance;
      const std::span<const std::uint32_t> batch_ids(ids.data(), taken.size());
      const auto started = Clock::now();
      dataset.prepare(batch_ids, batch);
      const auto prepared = Clock::now();
      begin_infer(output);
      backend.infer(batch, output);
      backend.synchronize();
      const auto inferred = Clock::now();
      const bool failed = !output.failure.empty();
      if (failed) {
        std::lock_guard lock(mutex_);
        last_failure_ = output.failure;
      }
      for (std::size_t j = 0; j < taken.size(); ++j) {
        const Query& q = taken[j];
        const std::span<const std::uint32_t> one(&q.instance, 1);
        if (output.reported_inference_s) {
          q.round->reported_inference_s[q.instance] = *output.reported_inference_s;
        }
        if (failed) {
          mark_failed(one, q.round->top.data(), classes == 0 ? &q.round->texts : nullptr,
                      q.round->failed.data());
        } else if (classes == 0) {
          q.round->texts[q.instance] = output.texts[j];
        } else {
          top_classes(std::span<const float>(output.scores).subspan(j * classes, classes),
                      &q.round->top[q.instance * kTopK]);
        }
      }
      // A failed batch counts as answered no sooner than its failure time after the call began.
      const double took = seconds(inferred - prepared);
      const auto finished =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(counted_infer_s(output, took) - took));
      for (const Query& q : taken) {
        RoundState& round = *q.round;
        round.timings[q.instance] = {
            seconds(q.scheduled - round.origin), seconds(q.issued - round.origin),
            seconds(started - round.origin), seconds(finished - round.origin)};
        if (round.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard lock(mutex_);
          done_.notify_all();
        }
      }
    }
  }

  const RunSettings& settings_;
  const LoadSettings& load_;
  const std::optional<double> offered_qps_;
  const std::size_t n_;
  const bool text_answers_;  // lines read or detections, in RoundState::texts
  const std::size_t text_capacity_;
  const std::int64_t first_round_;
  const std::size_t round_limit_;
  const std::atomic<bool>& stop_;

  std::mutex mutex_;
  std::condition_variable work_, done_;
  std::deque<Query> queue_;
  std::atomic<std::size_t> queued_{0};              // queue_.size(), for spinning workers
  std::atomic<bool> stop_spinning_{false};          // stopping_, for spinning workers
  std::deque<std::unique_ptr<RoundState>> rounds_;  // issued, in order, until consumed
  bool stopping_ = false;
  std::exception_ptr error_;
  std::string last_failure_;  // why a backend's last batch got no answer
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<RoundDriver> make_load_driver(std::vector<Workload*> workers,
                                              const RunSettings& settings,
                                              std::optional<double> offered_qps,
                                              std::int64_t first_round, std::size_t rounds,
                                              const std::atomic<bool>& stop) {
  return std::make_unique<LoadDriver>(std::move(workers), settings, offered_qps, first_round,
                                      rounds, stop);
}

}  // namespace tailq::detail
