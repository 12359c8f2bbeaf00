// `tailq serve` (tailq/serve.hpp): the server is in the remote plug-in, loaded only here.
#include "tailq/serve.hpp"

#include <nlohmann/json.hpp>

#include "collect/session.hpp"
#include "tailq/error.hpp"
#include "tailq/plugin.hpp"

namespace tailq {

void serve(const ServeSettings& settings) {
  const PluginTable& table = builtin_plugin("remote");
  if (!table.serve) throw InputError("the remote plug-in cannot serve models");
  table.serve(settings, detail::stop_flag());
}

std::optional<LateAnswers> answers_past_timeout(const TraceReader& trace) {
  const auto record = nlohmann::json::parse(trace.experiment().settings_json, nullptr, false);
  if (!record.is_object() || !record.contains("server") || !record["server"].is_string() ||
      record["server"].get<std::string>().empty()) {
    return std::nullopt;
  }
  LateAnswers result;
  try {
    result.timeout_s = std::stod(record.value("request_timeout_s", std::string("0")));
  } catch (const std::exception&) {
    throw InputError(trace.path().string() + ": its recorded request_timeout_s is not a number");
  }
  std::vector<std::size_t> batch_sizes(trace.batch_count());
  for (std::uint32_t b : trace.batch_of_instance()) ++batch_sizes[b];
  std::vector<double> total(trace.batch_count());
  for (const RoundInfo& round : trace.rounds()) {
    if (round.warmup) continue;
    trace.read_times(round.index, TimeKind::total, total);
    for (std::size_t b = 0; b < total.size(); ++b) {
      result.answers += batch_sizes[b];
      if (total[b] >= result.timeout_s) result.late += batch_sizes[b];
    }
  }
  return result;
}

}  // namespace tailq
