// The `_tailq` extension module: tailq's C++ core for Python (recorder, trace reading,
// analysis, import). The public API is the `tailq` package that wraps it (python/tailq/).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "tailq/error.hpp"
#include "tailq/html_report.hpp"

PYBIND11_MODULE(_tailq, m) {
  namespace py = pybind11;
  using namespace pybind11::literals;
  m.doc() = "tailq's C++ core; import tailq instead.";
  m.attr("__version__") = TAILQ_VERSION;
  tailq::python::bind_errors(m);
  tailq::python::bind_recorder(m);
  tailq::python::bind_trace(m);
  tailq::python::bind_import(m);
  tailq::python::bind_run(m);
  m.def(
      "compare",
      [](const std::vector<std::filesystem::path>& traces, std::size_t sweep, unsigned threads,
         const std::string& thresholds, double max_drop) {
        tailq::HtmlReportOptions o;
        o.sweep = sweep;
        o.threads = threads;
        o.thresholds = thresholds;
        if (!(max_drop >= 0)) throw tailq::InputError("max_drop: a number of points >= 0");
        o.max_drop = max_drop / 100;
        std::string json;
        {
          py::gil_scoped_release release;
          json = tailq::comparison_json(traces, o);
        }
        return tailq::python::json_to_python(json);
      },
      "traces"_a, py::kw_only(), "sweep"_a = 100, "threads"_a = 0,
      "thresholds"_a = tailq::HtmlReportOptions().thresholds, "max_drop"_a = 1.0,
      "Traces of the same dataset and metric side by side: `tailq compare --json` as a dict\n"
      "(load traces: quality and capacity against load; max_drop in points, as --max-drop).");
}
