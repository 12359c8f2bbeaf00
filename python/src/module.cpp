// The `_tailq` extension module: tailq's C++ core for Python (recorder, trace reading,
// analysis, import). The public API is the `tailq` package that wraps it (python/tailq/).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
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
  m.def(
      "compare",
      [](const std::vector<std::filesystem::path>& traces, std::size_t sweep, unsigned threads) {
        tailq::HtmlReportOptions o;
        o.sweep = sweep;
        o.threads = threads;
        std::string json;
        {
          py::gil_scoped_release release;
          json = tailq::comparison_json(traces, o);
        }
        return tailq::python::json_to_python(json);
      },
      "traces"_a, py::kw_only(), "sweep"_a = 100, "threads"_a = 0,
      "Traces of the same dataset and metric side by side: `tailq compare --json` as a dict.");
}
