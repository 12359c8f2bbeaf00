// The one table of `tailq run`'s settings (tailq/run_options.hpp): for each option, how to read
// it from text into RunSettings and how to write it back as text. The defaults are RunSettings'
// own member initialisers.
#include <algorithm>
#include <array>
#include <functional>

#include "collect/session.hpp"
#include "tailq/options.hpp"
#include "tailq/plugin.hpp"
#include "tailq/run_options.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

using Role = RunOption::Role;

struct Entry {
  RunOption option;
  std::function<void(RunSettings&, std::string_view)> set;
  std::function<std::string(const RunSettings&)> get;
};

std::string join(const std::vector<int>& v) {
  std::string text;
  for (int x : v) text += (text.empty() ? "" : ",") + std::to_string(x);
  return text;
}

std::string join(const std::vector<double>& v) {
  std::string text;
  for (double x : v) text += (text.empty() ? "" : ",") + fmt_number(x);
  return text;
}

bool parse_switch(std::string_view text) {
  if (text.empty() || text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw InputError("'" + std::string(text) + "' is not true or false");
}

template <class T>
Entry count(RunOption o, T RunSettings::*member, std::uint64_t least = 0,
            std::uint64_t most = UINT64_MAX) {
  return {o,
          [=](RunSettings& s, std::string_view t) {
            s.*member = static_cast<T>(parse_count(t, least, most));
          },
          [=](const RunSettings& s) { return std::to_string(s.*member); }};
}

template <class T>
Entry load_count(RunOption o, T LoadSettings::*member, std::uint64_t least = 1) {
  return {o,
          [=](RunSettings& s, std::string_view t) {
            s.load.*member = static_cast<T>(parse_count(t, least));
          },
          [=](const RunSettings& s) { return std::to_string(s.load.*member); }};
}

Entry text(RunOption o, std::string RunSettings::*member,
           std::function<void(std::string_view)> check = {}) {
  return {o,
          [=](RunSettings& s, std::string_view t) {
            if (check) check(t);
            s.*member = std::string(t);
          },
          [=](const RunSettings& s) { return s.*member; }};
}

Entry path(RunOption o, std::filesystem::path RunSettings::*member) {
  return {o, [=](RunSettings& s, std::string_view t) { s.*member = std::string(t); },
          [=](const RunSettings& s) { return (s.*member).string(); }};
}

void check_server_url(std::string_view url) {
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("grpc://")) {
    throw InputError("'" + std::string(url) +
                     "' is not an http://HOST:PORT (REST) or grpc://HOST:PORT (gRPC) address");
  }
}

constexpr std::string_view kLoad = "scenario:multi-stream,scenario:server,scenario:offline";

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      text({"workload", "--workload", "NAME",
            "what to measure: digits (a CNN on the held-out UCI digits, run by LibTorch, or by "
            "OpenCV DNN for an .onnx --model), model (--model on --inputs), ocr (Tesseract on "
            "generated text lines), textdet (Tesseract finding the words of generated pages), "
            "sleep (a controlled ground truth), or a --plugin's"},
           &RunSettings::workload),
      path({"plugin", "--plugin", "FILE",
            "a plug-in (tailq/plugin.hpp) giving the workload or running --model files of its "
            "kind"},
           &RunSettings::plugin),
      path({"model", "--model", "FILE",
            "the model: TorchScript .pt or ONNX .onnx (digits, model), a Tesseract "
            "LANG.traineddata (ocr, textdet)",
            Role::identity, "digits,model,ocr,textdet,plugin"},
           &RunSettings::model),
      path({"data", "--data", "FILE",
            "digits.csv.gz in python3-sklearn's layout (default: its copy); the held-out test "
            "split, every 5th row, is measured (a data set of your own: --inputs)",
            Role::identity, "digits"},
           &RunSettings::data),
      path({"inputs", "--inputs", "FILE",
            ".npy of N x ... float32, float64 or uint8 inputs; batches are slices along the "
            "first axis",
            Role::identity, "model"},
           &RunSettings::inputs),
      path({"labels", "--labels", "FILE",
            "one label per input: .npy of integers or .csv/.txt, one per line (class indices "
            "or, with --classes, names)",
            Role::identity, "model"},
           &RunSettings::labels),
      path({"classes", "--classes", "FILE",
            "class names in the model's output order, one per line (default 0, 1, ...)",
            Role::identity, "model"},
           &RunSettings::classes),
      path({"input_sizes", "--input-sizes", "FILE",
            "one number per input (e.g. pixels or tokens) for `tailq fit`'s time against size",
            Role::identity, "model"},
           &RunSettings::input_sizes),
      text({"server", "--server", "URL",
            "the model runs on an inference server speaking the Open Inference Protocol (KServe "
            "v2): http://HOST:PORT over REST, grpc://HOST:PORT over gRPC (docs/serving.md)",
            Role::identity, "digits,model"},
           &RunSettings::server, check_server_url),
      text({"model_name", "--model-name", "NAME", "the model's name on the --server",
            Role::identity, "digits,model"},
           &RunSettings::model_name),
      {{"request_timeout_s", "--timeout", "TIME",
        "a request to the --server with no answer within TIME fails, and counts as that late",
        Role::identity, "digits,model"},
       [](RunSettings& s, std::string_view t) {
         const double v = parse_time_value(t);
         if (!(v > 0)) throw InputError("the timeout must be a positive time");
         s.request_timeout_s = v;
       },
       [](const RunSettings& s) { return fmt_number(s.request_timeout_s); }},
      count({"batch_size", "--batch-size", "N", "instances per batch"}, &RunSettings::batch_size,
            1),
      count({"threads", "--threads", "N", "intra-op threads of the backend"}, &RunSettings::threads,
            1, 1024),
      {{"pin_cpus", "--pin-cpus", "LIST", "run on these CPUs, e.g. 0 or 0-1,3"},
       [](RunSettings& s, std::string_view t) {
         s.pin_cpus = t.empty() ? std::vector<int>{} : parse_cpu_list(t);
       },
       [](const RunSettings& s) { return join(s.pin_cpus); }},
      count({"warmup_rounds", "--warmup-rounds", "N", "rounds run before measuring"},
            &RunSettings::warmup_rounds, 0, 1000000),
      {{"shuffle_seed", "--shuffle", "SEED", "a new instance order every round, from SEED"},
       [](RunSettings& s, std::string_view t) {
         if (t.empty()) {
           s.shuffle_seed.reset();
         } else {
           s.shuffle_seed = parse_count(t);
         }
       },
       [](const RunSettings& s) {
         return s.shuffle_seed ? std::to_string(*s.shuffle_seed) : std::string();
       }},
      count({"sleep_instances", "--instances", "N", "instances", Role::identity, "sleep"},
            &RunSettings::sleep_instances, 1, 100000000),
      text({"sleep_distribution", "--sleep-dist", "LAW",
            "every instance's time: const:T | exp:MEAN | lognormal:MEDIAN:SIGMA", Role::identity,
            "sleep"},
           &RunSettings::sleep_distribution),
      count({"sleep_seed", "--sleep-seed", "N", "random seed", Role::identity, "sleep"},
            &RunSettings::sleep_seed),
      path(
          {"sleep_model", "--sleep-model", "FILE",
           "CSV law,correct giving each instance its own law and outcome", Role::identity, "sleep"},
          &RunSettings::sleep_model),
      text({"sleep_round_effect", "--round-effect", "ar1:SD:PHI",
            "a round-speed process multiplying every time of a round by exp(s), s an AR(1) "
            "process (e.g. ar1:0.05:0.8)",
            Role::identity, "sleep"},
           &RunSettings::sleep_round_effect),
      count({"ocr_lines", "--lines", "N", "text lines generated", Role::identity, "ocr"},
            &RunSettings::ocr_lines, 1, 100000),
      count({"textdet_pages", "--pages", "N", "pages generated", Role::identity, "textdet"},
            &RunSettings::textdet_pages, 1, 10000),
      count({"ocr_seed", "--ocr-seed", "N", "seed of the generated lines or pages", Role::identity,
             "ocr,textdet"},
            &RunSettings::ocr_seed),
      text({"ocr_degrade", "--degrade", "HOW",
            "none (clean renderings) | light | heavy (contrast, rotation, blur, noise)",
            Role::identity, "ocr,textdet"},
           &RunSettings::ocr_degrade,
           [](std::string_view t) {
             if (t != "none" && t != "light" && t != "heavy") {
               throw InputError("expected none, light or heavy, got '" + std::string(t) + "'");
             }
           }),
      {{"scenario", "--scenario", "NAME",
        "single-stream | multi-stream | server (Poisson arrivals) | offline"},
       [](RunSettings& s, std::string_view t) { s.load.scenario = parse_scenario(t); },
       [](const RunSettings& s) { return std::string(to_string(s.load.scenario)); }},
      {{"qps", "--qps", "RATES", "offered load(s), instances/s, e.g. 200 or 50,100", Role::identity,
        "scenario:server"},
       [](RunSettings& s, std::string_view t) {
         s.load.qps = t.empty() ? std::vector<double>{} : parse_rate_list(t);
       },
       [](const RunSettings& s) { return join(s.load.qps); }},
      {{"qps_sweep", "--qps-sweep", "FROM:TO:STEP",
        "one series of rounds per load, e.g. 50:400:50 (sets qps)", Role::identity,
        "scenario:server"},
       [](RunSettings& s, std::string_view t) { s.load.qps = parse_rate_sweep(t); },
       [](const RunSettings& s) { return join(s.load.qps); }},
      load_count({"workers", "--workers", "N", "concurrent workers, each its own model instance",
                  Role::identity, kLoad},
                 &LoadSettings::workers),
      load_count({"max_batch", "--max-batch", "N",
                  "dynamic batching up to this many queued instances", Role::identity, kLoad},
                 &LoadSettings::max_batch),
      {{"batch_timeout_s", "--batch-timeout", "TIME",
        "wait this long for a batch to fill, e.g. 2ms", Role::identity, kLoad},
       [](RunSettings& s, std::string_view t) { s.load.batch_timeout_s = parse_time_value(t); },
       [](const RunSettings& s) { return fmt_number(s.load.batch_timeout_s); }},
      load_count({"queries_per_interval", "--queries-per-interval", "K",
                  "instances in the query issued every --interval", Role::identity,
                  "scenario:multi-stream"},
                 &LoadSettings::queries_per_interval),
      {{"interval_s", "--interval", "TIME", "one query every INTERVAL (multi-stream)",
        Role::identity, "scenario:multi-stream"},
       [](RunSettings& s, std::string_view t) {
         const double v = parse_time_value(t);
         if (!(v > 0)) throw InputError("the interval must be a positive time");
         s.load.interval_s = v;
       },
       [](const RunSettings& s) { return fmt_number(s.load.interval_s); }},
      load_count({"arrival_seed", "--arrival-seed", "N", "seed of the Poisson schedule",
                  Role::identity, "scenario:server"},
                 &LoadSettings::arrival_seed, 0),
      {{"busy_poll", "--busy-poll", "", "idle workers spin instead of sleeping (a core each)",
        Role::identity, kLoad},
       [](RunSettings& s, std::string_view t) { s.load.busy_poll = parse_switch(t); },
       [](const RunSettings& s) { return std::string(s.load.busy_poll ? "true" : "false"); }},
      // When to stop: may differ on --resume.
      {{"stop", "--stop", "RULE",
        "precision: until every deadline's mean and bad-round Q@T are known to +-epsilon; "
        "rjsd: until the time distribution stops moving (rJSD <= tau)",
        Role::limit},
       [](RunSettings& s, std::string_view t) { s.stop = parse_stop_rule(t); },
       [](const RunSettings& s) { return std::string(to_string(s.stop)); }},
      {{"epsilon", "--epsilon", "PT", "half-width goal in quality points", Role::limit,
        "stop:precision"},
       [](RunSettings& s, std::string_view t) { s.precision.goal.epsilon = parse_points(t); },
       [](const RunSettings& s) { return fmt_number(100 * s.precision.goal.epsilon); }},
      {{"confidence", "--confidence", "C", "confidence of all intervals together, e.g. 95% or 0.95",
        Role::limit, "stop:precision"},
       [](RunSettings& s, std::string_view t) { s.precision.goal.confidence = parse_share(t); },
       [](const RunSettings& s) { return fmt_number(s.precision.goal.confidence); }},
      {{"bad_round", "--bad-round", "P",
        "the bad round is this percentile of per-round Q@T (5: 1 round in 20)", Role::limit,
        "stop:precision"},
       [](RunSettings& s, std::string_view t) { s.precision.goal.bad_round = parse_percentage(t); },
       [](const RunSettings& s) { return fmt_number(100 * s.precision.goal.bad_round); }},
      {{"thresholds", "--thresholds", "LIST", "deadlines to certify, e.g. p99 or p90,5ms",
        Role::limit, "stop:precision"},
       [](RunSettings& s, std::string_view t) {
         if (parse_thresholds(t, BareNumber::refused).empty()) {
           throw InputError("no deadlines given");
         }
         s.precision.thresholds = std::string(t);
       },
       [](const RunSettings& s) { return s.precision.thresholds; }},
      {{"tau", "--tau", "T", "converged when rJSD <= tau", Role::limit, "stop:rjsd"},
       [](RunSettings& s, std::string_view t) { s.convergence.tau = parse_real(t, 0); },
       [](const RunSettings& s) { return fmt_number(s.convergence.tau); }},
      {{"fit_every", "--fit-every", "N", "fit a KDE every N measured rounds", Role::limit,
        "stop:rjsd"},
       [](RunSettings& s, std::string_view t) { s.convergence.fit_every = parse_count(t, 1); },
       [](const RunSettings& s) { return std::to_string(s.convergence.fit_every); }},
      {{"window", "--window", "N", "compare with this many earlier fits", Role::limit, "stop:rjsd"},
       [](RunSettings& s, std::string_view t) { s.convergence.window = parse_count(t, 1); },
       [](const RunSettings& s) { return std::to_string(s.convergence.window); }},
      count({"max_rounds", "--max-rounds", "N", "stop after this many measured rounds per load",
             Role::limit},
            &RunSettings::max_rounds, 1),
      {{"max_duration", "--max-duration", "TIME",
        "stop measuring after this long, e.g. 90s, 5m (0: no limit)", Role::limit},
       [](RunSettings& s, std::string_view t) {
         s.max_duration_s = t == "0" ? 0 : parse_duration(t);
       },
       [](const RunSettings& s) { return fmt_number(s.max_duration_s); }},
  };
  return entries;
}

const Entry& entry(std::string_view key) {
  for (const Entry& e : table()) {
    if (e.option.key == key) return e;
  }
  throw InputError("no run option '" + std::string(key) + "'");
}

// Whether an option applies to these settings: its workload, scenario or stop rule.
bool applies(const RunOption& o, const RunSettings& s) {
  if (o.applies_to.empty()) return true;
  std::string_view rest = o.applies_to;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (item.starts_with("stop:") && item.substr(5) == to_string(s.stop)) return true;
    if (item.starts_with("scenario:") && item.substr(9) == to_string(s.load.scenario)) return true;
    if (item == s.workload || (item == "plugin" && !s.plugin.empty())) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

std::string applies_text(const RunOption& o) {
  std::string_view a = o.applies_to;
  if (a == kLoad) return "the load scenarios (--scenario)";
  if (a.starts_with("stop:")) return "--stop " + std::string(a.substr(5));
  if (a.starts_with("scenario:")) return "the " + std::string(a.substr(9)) + " scenario";
  // "digits,model,plugin" -> "the digits and model workloads and plug-ins' workloads"
  std::vector<std::string> names;
  bool plugin = false;
  while (!a.empty()) {
    const auto comma = a.find(',');
    const std::string item(a.substr(0, comma));
    (item == "plugin" ? plugin : (names.push_back(item), plugin)) = item == "plugin" || plugin;
    if (comma == std::string_view::npos) break;
    a.remove_prefix(comma + 1);
  }
  std::string text = "the ";
  for (std::size_t k = 0; k < names.size(); ++k) {
    text += (k == 0 ? "" : k + 1 == names.size() ? " and " : ", ") + names[k];
  }
  text += names.size() == 1 ? " workload" : " workloads";
  return plugin ? text + " and those of plug-ins" : text;
}

const std::string* find_given(const GivenOptions& given, std::string_view key) {
  for (const auto& [k, v] : given) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace

std::span<const RunOption> run_options() {
  static const std::vector<RunOption> options = [] {
    std::vector<RunOption> v;
    for (const Entry& e : table()) v.push_back(e.option);
    return v;
  }();
  return options;
}

const RunOption* find_run_option(std::string_view key_or_flag) {
  for (const RunOption& o : run_options()) {
    if (o.key == key_or_flag || o.flag == key_or_flag) return &o;
  }
  return nullptr;
}

std::string run_option_text(const RunSettings& settings, std::string_view key) {
  return entry(key).get(settings);
}

void set_run_option(RunSettings& settings, std::string_view key, std::string_view text) {
  const Entry& e = entry(key);
  try {
    e.set(settings, text);
  } catch (const OptionError&) {
    throw;
  } catch (const InputError& error) {
    throw OptionError(std::string(key), error.what());
  }
}

namespace detail {

void apply_options(RunSettings& s, const GivenOptions& given, const std::string& resumed_trace) {
  for (const auto& [key, value] : given) {
    if (!find_run_option(key)) throw OptionError(key, "not an option of tailq run");
  }
  if (find_given(given, "qps") && find_given(given, "qps_sweep")) {
    throw OptionError("qps_sweep", "give an offered load or a sweep of them, not both");
  }
  for (const auto& [key, value] : given) {
    const RunOption& o = *find_run_option(key);
    if (resumed_trace.empty() || o.role == Role::limit) {
      set_run_option(s, key, value);
      continue;
    }
    // Resuming: what was measured comes from the trace, and an identity option given again
    // must say the same, in the same normal form.
    const std::string recorded = key == "qps_sweep" ? "qps" : key;
    RunSettings probe = s;
    set_run_option(probe, key, value);
    if (run_option_text(probe, recorded) != run_option_text(s, recorded)) {
      throw OptionError(key, "'" + value + "' does not match the trace's '" +
                                 run_option_text(s, recorded) + "' (" + resumed_trace + ")");
    }
  }
  // What was not named follows from what was given: inputs mean the model workload, a
  // plug-in's workload is its first, and the options of one stop rule alone pick that rule.
  if (resumed_trace.empty() && !find_given(given, "workload")) {
    if (find_given(given, "inputs")) {
      s.workload = "model";
    } else if (!s.plugin.empty()) {
      const PluginTable& plugin = load_plugin(s.plugin);
      if (plugin.workloads && *plugin.workloads) s.workload = *plugin.workloads;
    }
  }
  if (!find_given(given, "stop")) {
    bool precision = false, rjsd = false;
    for (const auto& [key, value] : given) {
      const RunOption* o = find_run_option(key);
      precision = precision || o->applies_to == "stop:precision";
      rjsd = rjsd || o->applies_to == "stop:rjsd";
    }
    if (rjsd && !precision) s.stop = StopRule::rjsd;
    if (precision && !rjsd) s.stop = StopRule::precision;
  }
  for (const auto& [key, value] : given) {
    const RunOption& o = *find_run_option(key);
    if (!applies(o, s)) throw OptionError(std::string(key), "applies to " + applies_text(o));
  }
}

}  // namespace detail

RunSettings run_settings_from(const GivenOptions& given) {
  RunSettings s;
  detail::apply_options(s, given, "");
  return s;
}

GivenOptions identity_record(const RunSettings& settings) {
  GivenOptions record;
  for (const Entry& e : table()) {
    if (e.option.role == Role::identity && e.option.key != "qps_sweep") {
      record.emplace_back(std::string(e.option.key), e.get(settings));
    }
  }
  return record;
}

}  // namespace tailq
