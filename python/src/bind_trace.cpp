// `tailq.Trace`: a trace opened for reading. Its small tables become Python lists and numpy
// arrays; round times come back as one (rounds x batches) float64 array read with the GIL
// released and handed to numpy without a copy.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>

#include "bindings.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/round_source.hpp"

namespace tailq::python {
namespace {

py::object json_or_text(const std::string& text) {
  try {
    return json_to_python(text);
  } catch (const py::error_already_set&) {
    return py::str(text);
  }
}

// "measured", "all", "A:B" (measured rounds A to B - 1, from 0) or a sequence of stored indices.
std::vector<std::int64_t> select_rounds(const TraceReader& trace, py::handle rounds) {
  if (py::isinstance<py::str>(rounds)) {
    const auto text = rounds.cast<std::string>();
    if (text == "measured") return measured_rounds(trace);
    if (text == "all") {
      std::vector<std::int64_t> all;
      for (const RoundInfo& r : trace.rounds()) all.push_back(r.index);
      return all;
    }
    TraceAnalysisOptions range;
    parse_round_range(text, range);
    return measured_rounds(trace, range.first_round, range.last_round);
  }
  std::vector<std::int64_t> chosen;
  for (py::handle item : py::iter(rounds)) {
    const auto index = py::int_(py::reinterpret_borrow<py::object>(item)).cast<std::int64_t>();
    const auto& all = trace.rounds();
    if (std::none_of(all.begin(), all.end(),
                     [&](const RoundInfo& r) { return r.index == index; })) {
      input_error("round " + std::to_string(index) + " is not in " + trace.path().string());
    }
    chosen.push_back(index);
  }
  return chosen;
}

py::array_t<double> read_times(NativeTrace& self, const std::string& kind_text, py::handle rounds,
                               bool per_instance) {
  const auto reader = self.open();
  const TimeKind kind = parse_time_kind(kind_text);
  const std::vector<std::int64_t> chosen = select_rounds(*reader, rounds);
  const std::size_t batches = reader->batch_count();
  const auto map = reader->batch_of_instance();
  const std::size_t width = per_instance ? map.size() : batches;
  std::vector<double> out(chosen.size() * width);
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(self.read_mutex);
    std::vector<double> round(batches);
    for (std::size_t r = 0; r < chosen.size(); ++r) {
      double* row = out.data() + r * width;
      if (!per_instance) {
        reader->read_times(chosen[r], kind, std::span(row, batches));
        continue;
      }
      reader->read_times(chosen[r], kind, round);
      for (std::size_t i = 0; i < map.size(); ++i) row[i] = round[map[i]];
    }
  }
  return array_from(std::move(out),
                    {static_cast<py::ssize_t>(chosen.size()), static_cast<py::ssize_t>(width)});
}

template <class T, class F>
py::array_t<T> per_round(const TraceReader& trace, F value) {
  std::vector<T> out;
  for (const RoundInfo& r : trace.rounds()) out.push_back(value(r));
  const auto n = static_cast<py::ssize_t>(out.size());
  return array_from(std::move(out), {n});
}

}  // namespace

std::shared_ptr<const TraceReader> NativeTrace::open() const {
  if (!reader) throw UsageError("the trace is closed");
  return reader;
}

void bind_trace(py::module_& m) {
  py::class_<NativeTrace> cls(m, "Trace", R"doc(A trace opened for reading.

Trace(path) opens a trace written by `tailq run`, `tailq import`, `tailq generate` or a
tailq.Recorder. Use it as a context manager, or call close(); arrays it returned stay valid.)doc");
  cls.def(py::init([](const std::filesystem::path& path) {
            auto t = std::make_unique<NativeTrace>();
            t->reader = std::make_shared<const TraceReader>(path);
            return t;
          }),
          py::arg("path"))
      .def(
          "close", [](NativeTrace& self) { self.reader.reset(); }, "Closes the trace.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](NativeTrace& self, py::args) { self.reader.reset(); })
      .def_property_readonly("closed", [](const NativeTrace& self) { return !self.reader; })
      .def_property_readonly("path", [](const NativeTrace& self) { return self.open()->path(); })
      .def_property_readonly(
          "experiment",
          [](const NativeTrace& self) {
            const Experiment& e = self.open()->experiment();
            py::dict d;
            d["model"] = e.model;
            d["dataset"] = e.dataset;
            d["backend"] = e.backend;
            d["metric"] = e.metric;
            d["system"] = json_or_text(e.system_json);
            d["settings"] = json_or_text(e.settings_json);
            d["extra"] = json_or_text(e.extra_json);
            return d;
          },
          "model, dataset, backend, default metric, and the system/settings/extra JSON objects")
      .def_property_readonly("instance_names",
                             [](const NativeTrace& self) {
                               py::list names;
                               for (const Instance& i : self.open()->instances())
                                 names.append(i.name);
                               return names;
                             })
      .def_property_readonly(
          "batch_of_instance",
          [](const NativeTrace& self) {
            const auto reader = self.open();
            const auto map = reader->batch_of_instance();
            return array_over(map.data(), {static_cast<py::ssize_t>(map.size())}, reader, false);
          },
          "Batch index of every instance (uint32, read-only view of the trace's own array)")
      .def_property_readonly("batch_count",
                             [](const NativeTrace& self) { return self.open()->batch_count(); })
      .def_property_readonly(
          "input_sizes",
          [](const NativeTrace& self) {
            std::vector<double> sizes;
            for (const Instance& i : self.open()->instances())
              sizes.push_back(i.input_size.value_or(NAN));
            const auto n = static_cast<py::ssize_t>(sizes.size());
            return array_from(std::move(sizes), {n});
          },
          "Input size of every instance (NaN where unknown)")
      .def_property_readonly("outcome_kind",
                             [](const NativeTrace& self) {
                               return std::string(to_string(self.open()->outcomes().kind));
                             })
      .def_property_readonly("labels",
                             [](const NativeTrace& self) -> py::object {
                               const Outcomes& o = self.open()->outcomes();
                               if (o.kind != Outcomes::Kind::classification) return py::none();
                               return py::cast(o.labels);
                             })
      .def_property_readonly("predictions",
                             [](const NativeTrace& self) -> py::object {
                               const Outcomes& o = self.open()->outcomes();
                               if (o.kind != Outcomes::Kind::classification) return py::none();
                               return py::cast(o.predictions);
                             })
      .def_property_readonly("scores",
                             [](const NativeTrace& self) -> py::object {
                               const Outcomes& o = self.open()->outcomes();
                               if (o.kind != Outcomes::Kind::score) return py::none();
                               std::vector<double> s = o.scores;
                               const auto n = static_cast<py::ssize_t>(s.size());
                               return array_from(std::move(s), {n});
                             })
      .def_property_readonly("round_indices",
                             [](const NativeTrace& self) {
                               return per_round<std::int64_t>(
                                   *self.open(), [](const RoundInfo& r) { return r.index; });
                             })
      .def_property_readonly(
          "warmup",
          [](const NativeTrace& self) {
            const auto reader = self.open();
            py::array_t<bool> flags(static_cast<py::ssize_t>(reader->rounds().size()));
            bool* out = flags.mutable_data();
            for (const RoundInfo& r : reader->rounds()) *out++ = r.warmup;
            return flags;
          })
      .def_property_readonly("started_unix_s",
                             [](const NativeTrace& self) {
                               return per_round<double>(*self.open(), [](const RoundInfo& r) {
                                 return r.started_unix_s;
                               });
                             })
      .def_property_readonly("measured_round_indices",
                             [](const NativeTrace& self) {
                               std::vector<std::int64_t> r = measured_rounds(*self.open());
                               const auto n = static_cast<py::ssize_t>(r.size());
                               return array_from(std::move(r), {n});
                             })
      .def("times", &read_times, py::arg("time") = "total", py::arg("rounds") = "measured",
           py::arg("per_instance") = false,
           R"doc(Round times in seconds as a float64 array of shape (rounds, batches).

time: "total" or "inference". rounds: "measured" (default), "all" (warm-up included), "A:B"
(measured rounds with index in [A, B), as `tailq analyze --rounds`) or a sequence of round
indices. per_instance: one column per instance (each gets its batch's time) instead of per batch.)doc");
  bind_analysis(cls);
}

}  // namespace tailq::python
