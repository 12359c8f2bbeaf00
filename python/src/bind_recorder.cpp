// `_tailq.Recorder`: the C++ Recorder as Python sees it. The friendly context managers live in
// tailq/_recorder.py; this layer only converts arguments. Ids go into scratch vectors sized at
// creation, so a bracketing call allocates nothing once the first round has run.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>

#include "bindings.hpp"
#include "native_recorder.hpp"
#include "tailq/recorder.hpp"

namespace tailq::python {
namespace {

ConvergenceSettings convergence(double tau, std::size_t fit_every, std::size_t window,
                                const std::string& schedule) {
  ConvergenceSettings c;
  c.tau = tau;
  c.fit_every = fit_every;
  c.window = window;
  c.schedule = parse_schedule(schedule);
  return c;
}

// One label: a string, an integer (class index), or anything else as str() gives it.
std::string label_text(py::handle item) {
  if (PyUnicode_Check(item.ptr())) return item.cast<std::string>();
  if (PyIndex_Check(item.ptr()) && !PyBool_Check(item.ptr()) && !py::isinstance<py::array>(item)) {
    return std::to_string(py::int_(py::reinterpret_borrow<py::object>(item)).cast<long long>());
  }
  return py::str(item).cast<std::string>();
}

// One prediction: a label, or a list, tuple or 1-D array of labels best first (joined by
// spaces; one level only, so a self-containing list cannot recurse forever).
std::string prediction_text(py::handle item) {
  if (PyList_Check(item.ptr()) || PyTuple_Check(item.ptr()) ||
      (py::isinstance<py::array>(item) && py::reinterpret_borrow<py::array>(item).ndim() > 0)) {
    std::string text;
    for (py::handle label : py::iter(item)) {
      if (!text.empty()) text += ' ';
      text += label_text(label);
    }
    return text;
  }
  return label_text(item);
}

// Integer class indices, (instances,) or (instances, k) best first, without a Python call per
// element: the common output of argmax / topk.
bool integer_predictions(py::handle values, std::vector<std::string>& out) {
  if (!py::isinstance<py::array>(values)) return false;
  const auto array = py::reinterpret_borrow<py::array>(values);
  const char kind = array.dtype().kind();
  if ((kind != 'i' && kind != 'u') || array.ndim() < 1 || array.ndim() > 2) return false;
  const auto ints =
      py::array_t<long long, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!ints) throw py::error_already_set();
  const auto rows = static_cast<std::size_t>(ints.shape(0));
  const std::size_t k = ints.ndim() == 2 ? static_cast<std::size_t>(ints.shape(1)) : 1;
  out.resize(rows);
  const long long* data = ints.data();
  for (std::size_t r = 0; r < rows; ++r) {
    out[r].clear();
    for (std::size_t j = 0; j < k; ++j) {
      if (j) out[r] += ' ';
      out[r] += std::to_string(data[r * k + j]);
    }
  }
  return true;
}

void record_outputs(NativeRecorder& self, py::handle ids, py::handle values) {
  read_ids(ids, self.output_ids);
  if (self.recorder.outcome_kind() == Outcomes::Kind::score) {
    const auto array = py::array_t<double, py::array::forcecast>::ensure(values);
    if (!array || array.ndim() != 1) {
      PyErr_Clear();
      input_error("scores: a 1-D sequence of numbers, one per instance");
    }
    self.scores.assign(array.data(), array.data() + array.size());
    self.recorder.record_scores(self.output_ids, self.scores);
    return;
  }
  if (PyUnicode_Check(values.ptr()) || !PySequence_Check(values.ptr())) {
    input_error(
        "predictions: a sequence with one entry per instance (a label or labels best first)");
  }
  if (!integer_predictions(values, self.predictions)) {
    self.predictions.clear();
    for (py::handle item : py::iter(values)) self.predictions.push_back(prediction_text(item));
  }
  self.recorder.record_predictions(self.output_ids, self.predictions);
}

py::object optional_value(const std::vector<RjsdPoint>& series) {
  return series.empty() ? py::none() : py::cast(series.back().rjsd);
}

}  // namespace

void bind_recorder(py::module_& m) {
  py::class_<NativeRecorder>(m, "NativeRecorder", "The C++ recorder; use tailq.Recorder.")
      .def_static("create",
                  [](const std::filesystem::path& path, std::vector<std::string> names,
                     std::optional<std::vector<std::string>> labels,
                     std::optional<std::vector<std::string>> predictions,
                     std::optional<std::vector<double>> scores,
                     std::optional<std::vector<std::uint32_t>> batches,
                     std::optional<std::vector<std::optional<double>>> input_sizes,
                     std::size_t warmup_rounds, double tau, std::size_t fit_every,
                     std::size_t window, const std::string& schedule, const std::string& model,
                     const std::string& dataset, const std::string& backend,
                     const std::string& metric, const std::string& extra_json, bool overwrite) {
                    RecorderOptions o;
                    o.path = path;
                    o.overwrite = overwrite;
                    o.experiment = {model, dataset, backend, metric, "{}", "{}", extra_json};
                    o.instance_names = std::move(names);
                    if (input_sizes) o.input_sizes = std::move(*input_sizes);
                    if (labels) {
                      o.outcomes.kind = Outcomes::Kind::classification;
                      o.outcomes.labels = std::move(*labels);
                      if (predictions) o.outcomes.predictions = std::move(*predictions);
                    } else {
                      o.outcomes.kind = Outcomes::Kind::score;
                      if (scores) o.outcomes.scores = std::move(*scores);
                    }
                    if (batches) o.batch_of_instance = std::move(*batches);
                    o.warmup_rounds = warmup_rounds;
                    o.convergence = convergence(tau, fit_every, window, schedule);
                    return std::make_unique<NativeRecorder>(Recorder::create(o));
                  })
      .def_static("resume",
                  [](const std::filesystem::path& path, std::size_t warmup_rounds, double tau,
                     std::size_t fit_every, std::size_t window, const std::string& schedule) {
                    RecorderResumeOptions o;
                    o.warmup_rounds = warmup_rounds;
                    o.convergence = convergence(tau, fit_every, window, schedule);
                    return std::make_unique<NativeRecorder>(Recorder::resume(path, o));
                  })
      .def("fast_calls", &recorder_fast_calls,
           "begin_batch, mark_pre, mark_infer, mark_post, end_batch, abort_batch and add_batch "
           "as plain CPython functions (a fraction of a pybind11 call's cost)")
      .def("begin_round", [](NativeRecorder& s) { s.recorder.begin_round(); })
      .def("begin_batch",
           [](NativeRecorder& s, py::handle ids) {
             read_ids(ids, s.ids);
             s.recorder.begin_batch(s.ids);
           })
      .def("mark_pre", [](NativeRecorder& s) { s.recorder.mark_pre(); })
      .def("mark_infer", [](NativeRecorder& s) { s.recorder.mark_infer(); })
      .def("mark_post", [](NativeRecorder& s) { s.recorder.mark_post(); })
      .def("end_batch", [](NativeRecorder& s) { s.recorder.end_batch(); })
      .def("abort_batch", [](NativeRecorder& s) { s.recorder.abort_batch(); })
      .def("add_batch",
           [](NativeRecorder& s, py::handle ids, double inference_s, double total_s) {
             read_ids(ids, s.ids);
             s.recorder.add_batch(s.ids, inference_s, total_s);
           })
      .def("outputs", &record_outputs)
      .def("end_round", [](NativeRecorder& s) { s.recorder.end_round(); })
      .def("abort_round", [](NativeRecorder& s) { s.recorder.abort_round(); })
      .def("close", [](NativeRecorder& s) { s.recorder.close(); })
      .def_property_readonly("closed", [](const NativeRecorder& s) { return s.recorder.closed(); })
      .def_property_readonly("in_round",
                             [](const NativeRecorder& s) { return s.recorder.in_round(); })
      .def_property_readonly("in_batch",
                             [](const NativeRecorder& s) { return s.recorder.in_batch(); })
      .def_property_readonly("round_is_warmup",
                             [](const NativeRecorder& s) { return s.recorder.round_is_warmup(); })
      .def_property_readonly("round_index",
                             [](const NativeRecorder& s) { return s.recorder.round_index(); })
      .def_property_readonly("measured_rounds",
                             [](const NativeRecorder& s) { return s.recorder.measured_rounds(); })
      .def_property_readonly("rounds_recorded",
                             [](const NativeRecorder& s) { return s.recorder.rounds_recorded(); })
      .def_property_readonly("converged",
                             [](const NativeRecorder& s) { return s.recorder.converged(); })
      .def_property_readonly("instance_count",
                             [](const NativeRecorder& s) { return s.recorder.instance_count(); })
      .def_property_readonly("fixed_batches",
                             [](const NativeRecorder& s) { return s.recorder.fixed_batches(); })
      .def_property_readonly(
          "outcome_kind",
          [](const NativeRecorder& s) {
            return s.recorder.outcome_kind() == Outcomes::Kind::score ? "score" : "classification";
          })
      .def_property_readonly("path", [](const NativeRecorder& s) { return s.recorder.path(); })
      .def_property_readonly("warnings",
                             [](const NativeRecorder& s) { return s.recorder.warnings(); })
      .def_property_readonly("rjsd",
                             [](const NativeRecorder& s) {
                               py::dict d;
                               d["inference"] =
                                   optional_value(s.recorder.inference_monitor().series());
                               d["total"] = optional_value(s.recorder.total_monitor().series());
                               return d;
                             })
      .def("rjsd_history", [](const NativeRecorder& s) {
        const auto& inference = s.recorder.inference_monitor().series();
        const auto& total = s.recorder.total_monitor().series();
        std::vector<std::int64_t> rounds;
        std::vector<double> a, b;
        for (std::size_t k = 0; k < inference.size() && k < total.size(); ++k) {
          rounds.push_back(static_cast<std::int64_t>(inference[k].round));
          a.push_back(inference[k].rjsd);
          b.push_back(total[k].rjsd);
        }
        const auto n = static_cast<py::ssize_t>(rounds.size());
        py::dict d;
        d["round"] = array_from(std::move(rounds), {n});
        d["inference"] = array_from(std::move(a), {n});
        d["total"] = array_from(std::move(b), {n});
        return d;
      });
}

}  // namespace tailq::python
