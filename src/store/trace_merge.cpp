// merge_traces: one trace from traces of one set-up measured separately, with a node map
// (docs/multi-node.md). It uses only the public reader and writer, so every round is checked
// when read and checksummed again when written.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "store/node_list.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;

ordered_json object_of(const std::string& text) {
  ordered_json j = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : ordered_json::object();
}

std::string host_of(const Experiment& e) {
  const ordered_json system = object_of(e.system_json);
  const auto it = system.find("hostname");
  return it != system.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Throws when `other` is not the set-up `first` measured, naming the first difference.
void require_same_setup(const TraceReader& first, const TraceReader& other) {
  const auto differ = [&](const std::string& what, const std::string& a, const std::string& b) {
    throw InputError(other.path().string() + " is not the set-up of " + first.path().string() +
                     ": " + what + " differs (" + a + " vs " + b +
                     "); tailq compare shows different set-ups side by side");
  };
  const Experiment &a = first.experiment(), &b = other.experiment();
  const Outcomes &oa = first.outcomes(), &ob = other.outcomes();
  if (oa.kind != ob.kind)
    differ("the outcome kind", quoted(std::string(to_string(oa.kind))),
           quoted(std::string(to_string(ob.kind))));
  for (const auto& [what, x, y] :
       {std::tuple{"the metric", &a.metric, &b.metric}, std::tuple{"the model", &a.model, &b.model},
        std::tuple{"the data set", &a.dataset, &b.dataset},
        std::tuple{"the backend", &a.backend, &b.backend}}) {
    if (*x != *y) differ(what, quoted(*x), quoted(*y));
  }
  const ordered_json sa = object_of(a.settings_json), sb = object_of(b.settings_json);
  std::set<std::string> keys;
  for (const auto& [key, value] : sa.items()) keys.insert(key);
  for (const auto& [key, value] : sb.items()) keys.insert(key);
  for (const std::string& key : keys) {
    const std::string x = sa.contains(key) ? sa[key].dump() : "absent";
    const std::string y = sb.contains(key) ? sb[key].dump() : "absent";
    if (x != y) differ("the run setting " + key, x, y);
  }
  const auto& ia = first.instances();
  const auto& ib = other.instances();
  if (ia.size() != ib.size() || first.batch_count() != other.batch_count()) {
    differ("the number of instances (batches)",
           std::to_string(ia.size()) + " (" + std::to_string(first.batch_count()) + ")",
           std::to_string(ib.size()) + " (" + std::to_string(other.batch_count()) + ")");
  }
  for (std::size_t i = 0; i < ia.size(); ++i) {
    const std::string where = "instance " + std::to_string(i);
    if (ia[i].name != ib[i].name) differ(where + "'s name", quoted(ia[i].name), quoted(ib[i].name));
    if (ia[i].batch != ib[i].batch)
      differ(where + "'s batch", std::to_string(ia[i].batch), std::to_string(ib[i].batch));
    const auto answer = [&](const Outcomes& o) {
      if (i < o.scores.size()) return std::to_string(o.scores[i]);
      return quoted(i < o.labels.size() ? o.labels[i] : "") + " -> " +
             quoted(i < o.predictions.size() ? o.predictions[i] : "");
    };
    if (answer(oa) != answer(ob))
      differ("the recorded answer of instance " + quoted(ia[i].name), answer(oa), answer(ob));
  }
}

}  // namespace

NodeMap merge_traces(const MergeRequest& request) {
  if (request.inputs.size() < 2) throw OptionError("inputs", "give at least two traces to merge");
  std::vector<TraceReader> traces;
  std::set<std::filesystem::path> seen;
  for (const auto& path : request.inputs) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(path, ec);
    if (!seen.insert(ec ? path : canonical).second)
      throw OptionError("inputs", path.string() + " is given twice: its rounds would count twice");
    traces.emplace_back(path);
  }
  for (std::size_t k = 1; k < traces.size(); ++k) require_same_setup(traces[0], traces[k]);

  // The merged map: every input's own nodes (a merged input keeps its map), rounds renumbered.
  NodeMap map;
  std::int64_t next = 0;
  for (std::size_t k = 0; k < traces.size(); ++k) {
    const TraceReader& t = traces[k];
    const auto own = node_map(t);
    const auto base = static_cast<std::uint32_t>(map.nodes.size());
    if (own) {
      map.nodes.insert(map.nodes.end(), own->nodes.begin(), own->nodes.end());
    } else {
      map.nodes.push_back({host_of(t.experiment()), request.inputs[k].string()});
    }
    for (const RoundInfo& r : t.rounds()) {
      const std::uint32_t node = base + (own ? own->node_of(r.index) : 0);
      if (!map.runs.empty() && map.runs.back().node == node)
        map.runs.back().last_round = next;
      else
        map.runs.push_back({next, next, node});
      ++next;
    }
  }

  Experiment experiment = traces[0].experiment();
  experiment.extra_json = store::with_node_map(experiment.extra_json, map);
  for (std::size_t k = 1; k < traces.size(); ++k) {
    for (const std::string& w : traces[k].experiment().warnings) {
      if (std::find(experiment.warnings.begin(), experiment.warnings.end(), w) ==
          experiment.warnings.end())
        experiment.warnings.push_back(w);
    }
  }
  write_trace_atomically(request.output, request.overwrite, [&](const auto& tmp) {
    TraceWriter writer =
        TraceWriter::create(tmp, experiment, traces[0].instances(), traces[0].outcomes(), false);
    std::vector<double> inference(traces[0].batch_count()), total(inference.size());
    std::vector<QueryTiming> timings(traces[0].instances().size());
    std::int64_t index = 0;
    for (const TraceReader& t : traces) {
      for (RoundInfo round : t.rounds()) {
        t.read_times(round.index, TimeKind::inference, inference);
        t.read_times(round.index, TimeKind::total, total);
        RoundExtras extras;
        if (t.read_timings(round.index, timings)) extras.timings = timings;
        round.index = index++;
        writer.append_round(round, inference, total, extras);
      }
    }
    writer.close();
  });
  return map;
}

}  // namespace tailq
