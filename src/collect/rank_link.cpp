#include "collect/rank_link.hpp"

#include "collect/environment.hpp"
#include "tailq/error.hpp"
#include "tailq/ranks.hpp"
#include "tailq/run_options.hpp"

namespace tailq::detail {

ByteWriter report_of(const std::optional<Failure>& failure, std::string_view result) {
  ByteWriter report;
  report.put<std::uint8_t>(failure ? kFailed : kGoOn);
  if (failure) {
    failure->write(report);
  } else {
    report.put_string(result);
  }
  return report;
}

void Failure::write(ByteWriter& out) const {
  out.put(static_cast<std::uint8_t>(kind));
  out.put_string(key);
  out.put_string(message);
  out.put_string(where);
}

Failure Failure::read(ByteReader& in) {
  Failure f;
  f.kind = static_cast<Kind>(in.get<std::uint8_t>());
  f.key = in.get_string();
  f.message = in.get_string();
  f.where = in.get_string();
  return f;
}

std::optional<Failure> attempt(const std::function<void()>& f, const std::string& where) {
  try {
    f();
    return std::nullopt;
  } catch (const RankExit&) {
    throw;  // the job's end, agreed already: not this rank's own error
  } catch (const OptionError& e) {
    return Failure{Failure::Kind::option, e.key(), e.what(), where};
  } catch (const InputError& e) {
    return Failure{Failure::Kind::input, "", e.what(), where};
  } catch (const StoreError& e) {
    return Failure{Failure::Kind::store, "", e.what(), where};
  } catch (const std::exception& e) {
    return Failure{Failure::Kind::other, "", e.what(), where};
  }
}

void rethrow(const Failure& f) {
  const std::string message = f.where.empty() ? f.message : f.where + ": " + f.message;
  switch (f.kind) {
    case Failure::Kind::option:
      throw OptionError(f.key, message);
    case Failure::Kind::input:
      throw InputError(message);
    case Failure::Kind::store:
      throw StoreError(message);
    case Failure::Kind::other:
      break;
  }
  throw std::runtime_error(message);
}

Ranks::Ranks(Transport& transport) : transport_(transport) {
  if (rank() != 0) where_ = "rank " + std::to_string(rank()) + " (" + host_name() + ")";
}

void Ranks::broadcast(const ByteWriter& message) {
  for (int r = 1; r < size(); ++r) transport_.send(r, message.bytes());
}

void Ranks::fail(const Failure& failure) {
  ByteWriter verdict;
  verdict.put(kJobFailed);
  verdict.put(static_cast<std::uint8_t>(failure.exit_status()));
  broadcast(verdict);
  agreed_ = true;
  rethrow(failure);
}

void Ranks::failed(int status) {
  agreed_ = true;
  throw RankExit(status);
}

std::string Ranks::phase(const std::function<std::string()>& local,
                         const std::function<std::string(const std::vector<std::string>&)>& judge) {
  std::string mine;
  std::optional<Failure> failure = attempt([&] { mine = local(); }, where_);
  if (!lead()) {
    send(0, report_of(failure, mine));
    const std::string bytes = receive(0);
    ByteReader verdict(bytes);
    if (verdict.get<std::uint8_t>() == kJobFailed) failed(verdict.get<std::uint8_t>());
    return verdict.get_string();
  }
  std::vector<std::string> reports(static_cast<std::size_t>(size()));
  reports[0] = std::move(mine);
  for (int r = 1; r < size(); ++r) {
    const std::string bytes = receive(r);
    ByteReader report(bytes);
    if (report.get<std::uint8_t>() == kFailed) {
      Failure theirs = Failure::read(report);
      if (!failure) failure = std::move(theirs);
    } else {
      reports[static_cast<std::size_t>(r)] = report.get_string();
    }
  }
  std::string answer;
  if (!failure) failure = attempt([&] { answer = judge(reports); }, "");
  if (failure) fail(*failure);
  ByteWriter verdict;
  verdict.put(kGoOn);
  verdict.put_string(answer);
  broadcast(verdict);
  return answer;
}

}  // namespace tailq::detail
