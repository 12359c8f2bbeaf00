// tailq.run() and tailq.run_options(): `tailq run` from Python, driven by the library's one table
// of run settings (tailq/run_options.hpp), so a keyword is an option's key and takes what the
// command line takes. A run releases the GIL; Ctrl-C asks it to stop after the round in flight,
// as on the command line.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <csignal>

#include "bindings.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq::python {
namespace {

extern "C" void stop_on_signal(int) { request_stop(); }

// A keyword's value as the option's text: True -> "true", a sequence -> "a,b", else str().
std::string option_text(py::handle value) {
  if (value.is_none()) return "";
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::hasattr(value, "__fspath__"))
    return py::str(value.attr("__fspath__")()).cast<std::string>();
  if (py::isinstance<py::sequence>(value)) {
    std::string text;
    for (py::handle item : value) text += (text.empty() ? "" : ",") + option_text(item);
    return text;
  }
  return py::str(value).cast<std::string>();
}

py::dict result_dict(const RunResult& r) {
  static const char* stops[] = {"met", "max_rounds", "max_duration", "interrupted"};
  py::dict d;
  d["trace"] = r.trace;
  d["stop"] = stops[static_cast<int>(r.stop)];
  d["measured_rounds"] = r.measured_rounds;
  d["inferences"] = r.inferences;
  d["elapsed_s"] = r.elapsed_s;
  d["warnings"] = r.warnings;
  py::dict settings;
  for (const RunOption& o : run_options()) {
    settings[py::str(std::string(o.key))] = run_option_text(r.settings, o.key);
  }
  d["settings"] = settings;
  return d;
}

}  // namespace

void bind_run(py::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "run",
      [](std::optional<std::filesystem::path> output, std::optional<std::filesystem::path> resume,
         py::kwargs kwargs) {
        GivenOptions given;
        for (auto [key, value] : kwargs) {
          given.emplace_back(key.cast<std::string>(), option_text(value));
        }
        RunResult result;
        // The signal handler only sets an atomic flag; the previous handler comes back after.
        struct sigaction action {
        }, previous{};
        action.sa_handler = stop_on_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous);
        try {
          py::gil_scoped_release release;
          if (resume) {
            if (output) throw InputError("output: a resumed run writes to the trace it resumes");
            result = resume_experiment(*resume, given);
          } else {
            RunSettings settings = run_settings_from(given);
            if (output) settings.output = *output;
            result = run_experiment(settings);
          }
        } catch (...) {
          sigaction(SIGINT, &previous, nullptr);
          throw;
        }
        sigaction(SIGINT, &previous, nullptr);
        return result_dict(result);
      },
      "output"_a = py::none(), py::kw_only(), "resume"_a = py::none(),
      R"doc(Measures a workload as `tailq run` does and returns what the run said (a dict).

Keywords are the options of tailq.run_options() by key, with the values the command line takes
(workload="sleep", sleep_instances=100, epsilon=1 (points), confidence="95%", max_rounds=50,
qps=[100, 200], busy_poll=True, ...). resume=TRACE continues an interrupted run. Ctrl-C stops
it after the round in flight ("stop": "interrupted"); every completed round is kept.)doc");
  m.def(
      "run_options",
      [] {
        py::list list;
        for (const RunOption& o : run_options()) {
          list.append(py::dict("key"_a = std::string(o.key), "flag"_a = std::string(o.flag),
                               "help"_a = std::string(o.help),
                               "must_match_on_resume"_a = o.role == RunOption::Role::identity,
                               "applies_to"_a = std::string(o.applies_to),
                               "default"_a = run_option_text(RunSettings{}, o.key)));
        }
        return list;
      },
      "The options of tailq.run() (and of `tailq run`): key, flag, help, default, and what they "
      "apply to.");
}

}  // namespace tailq::python
