// Sharded analyses (tailq/shards.hpp): exchanges over the transport's collectives in which every
// rank reports its result or its error, and rank 0 answers with the verdict, so that an error on
// any rank ends the exchange on all of them and is reported once, by rank 0.
#include "tailq/shards.hpp"

#include <algorithm>
#include <optional>

#include "collect/environment.hpp"
#include "collect/rank_link.hpp"
#include "tailq/ranks.hpp"

namespace tailq {
namespace {

using detail::ByteReader;
using detail::ByteWriter;
using detail::Failure;
using detail::kFailed;
using detail::kGoOn;

// The first failure among the reports: rank 0's own first, then in rank order. The results of
// the others go into `parts`.
std::optional<Failure> read_reports(const std::vector<std::string>& reports,
                                    std::vector<std::string>& parts) {
  std::optional<Failure> first;
  parts.assign(reports.size(), std::string());
  for (std::size_t r = 0; r < reports.size(); ++r) {
    ByteReader in(reports[r]);
    if (in.get<std::uint8_t>() == kFailed) {
      Failure theirs = Failure::read(in);
      if (!first) first = std::move(theirs);
    } else {
      parts[r] = in.get_string();
    }
  }
  return first;
}

}  // namespace

Shards::Shards(detail::Transport& transport)
    : transport_(&transport), rank_(transport.rank()), size_(transport.size()) {
  if (rank_ != 0) where_ = "rank " + std::to_string(rank_) + " (" + detail::host_name() + ")";
}

std::pair<std::size_t, std::size_t> Shards::share(std::size_t count) const {
  const auto k = static_cast<std::size_t>(size_), r = static_cast<std::size_t>(rank_);
  const std::size_t base = count / k, extra = count % k;
  const std::size_t first = r * base + std::min(r, extra);
  return {first, first + base + (r < extra ? 1 : 0)};
}

std::string Shards::exchange(const std::function<std::string()>& local,
                             const std::function<std::string(std::vector<std::string>&)>& judge) {
  std::string mine;
  std::optional<Failure> failure = detail::attempt([&] { mine = local(); }, where_);
  if (!transport_) {
    if (failure) {
      agreed_ = true;
      detail::rethrow(*failure);
    }
    std::vector<std::string> parts{std::move(mine)};
    return judge(parts);
  }
  const ByteWriter report = detail::report_of(failure, mine);
  mine.clear();
  const std::vector<std::string> reports = transport_->gather(report.bytes());
  ByteWriter verdict;
  if (lead()) {
    std::vector<std::string> parts;
    failure = read_reports(reports, parts);
    std::string answer;
    if (!failure) failure = detail::attempt([&] { answer = judge(parts); }, "");
    if (failure) {
      verdict.put(detail::kJobFailed);
      verdict.put(static_cast<std::uint8_t>(failure->exit_status()));
    } else {
      verdict.put<std::uint8_t>(kGoOn);
      verdict.put_string(answer);
    }
  }
  const std::string bytes = transport_->broadcast(verdict.bytes());
  ByteReader in(bytes);
  if (in.get<std::uint8_t>() == detail::kJobFailed) {
    agreed_ = true;
    const auto status = in.get<std::uint8_t>();
    if (lead()) detail::rethrow(*failure);
    throw RankExit(status);
  }
  return in.get_string();
}

std::vector<std::string> Shards::gather(const std::function<std::string()>& part) {
  std::vector<std::string> all;
  exchange(part, [&](std::vector<std::string>& parts) {
    all = std::move(parts);
    return std::string();
  });
  return all;
}

std::string Shards::broadcast(const std::function<std::string()>& make) {
  return exchange([&] { return lead() ? make() : std::string(); },
                  [](std::vector<std::string>& parts) { return std::move(parts[0]); });
}

void Shards::fail(std::exception_ptr error) {
  if (agreed_ || !transport_) std::rethrow_exception(error);
  // The others wait in an exchange (or the last one): this rank's error is its report there.
  // Rank 0 throws its own error as it was thrown; the verdict names the job's first failure.
  try {
    exchange([&]() -> std::string { std::rethrow_exception(error); },
             [](std::vector<std::string>&) { return std::string(); });
  } catch (const RankExit&) {
    throw;
  } catch (...) {
    if (lead()) std::rethrow_exception(error);
    throw;
  }
  std::rethrow_exception(error);  // not reached: the exchange had this rank's failure
}

void run_sharded(const std::function<void(Shards&)>& body) {
  detail::Transport& transport = detail::open_transport(launched_job());
  Shards shards(transport);
  try {
    try {
      body(shards);
    } catch (const RankExit&) {
      throw;
    } catch (...) {
      shards.fail(std::current_exception());
    }
    shards.gather([] { return std::string(); });  // the last exchange: every rank is done
  } catch (...) {
    transport.finalize();
    throw;
  }
  transport.finalize();
}

bool run_shared(const std::function<void(Shards&)>& body) {
  if (launched_job().size < 2) {
    Shards alone;
    body(alone);
    return true;
  }
  bool lead = false;
  run_sharded([&](Shards& shards) {
    body(shards);
    lead = shards.lead();
  });
  return lead;
}

}  // namespace tailq
