// `_tailq.import_arrays`: times a Python program already holds (numpy arrays of shape rounds x
// instances, or rounds x batches with a batch layout) written as a trace by the same code as
// `tailq import`, whole or not at all.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <numeric>
#include <optional>

#include "bindings.hpp"
#include "tailq/error.hpp"
#include "tailq/import.hpp"

namespace tailq::python {
namespace {

using Matrix = py::array_t<double, py::array::c_style | py::array::forcecast>;

Matrix matrix(py::handle values, const char* name) {
  const Matrix m = Matrix::ensure(values);
  if (!m) {
    PyErr_Clear();
    input_error(std::string(name) + ": not an array of numbers");
  }
  if (m.ndim() != 2) {
    input_error(std::string(name) + ": expected shape (rounds, instances or batches), got " +
                std::to_string(m.ndim()) + " dimensions");
  }
  return m;
}

}  // namespace

void bind_import(py::module_& m) {
  m.def(
      "import_arrays",
      [](const std::filesystem::path& path, py::handle inference, py::handle total,
         std::vector<std::string> names, std::optional<std::vector<std::uint32_t>> batches,
         std::optional<std::vector<std::string>> labels,
         std::optional<std::vector<std::string>> predictions,
         std::optional<std::vector<double>> scores, std::vector<std::int64_t> warmup_rounds,
         std::optional<std::vector<std::int64_t>> round_indices, const std::string& model,
         const std::string& dataset, const std::string& backend, const std::string& metric,
         bool overwrite) {
        const Matrix inf = matrix(inference, "inference");
        const Matrix tot = matrix(total, "total");
        if (inf.shape(0) != tot.shape(0) || inf.shape(1) != tot.shape(1)) {
          input_error("inference and total: shapes differ");
        }
        const auto rounds = static_cast<std::size_t>(inf.shape(0));
        const auto units = static_cast<std::size_t>(inf.shape(1));
        ImportedTimes t;
        t.instance_names = std::move(names);
        const std::size_t n = t.instance_names.size();
        if (batches) {
          t.batch_of_instance = std::move(*batches);
        } else {
          t.batch_of_instance.resize(n);
          std::iota(t.batch_of_instance.begin(), t.batch_of_instance.end(), 0u);
        }
        t.batch_count = units;
        if (t.batch_of_instance.size() != n) {
          input_error("batches: one per instance");
        }
        if (!batches && units != n) {
          input_error("times have " + std::to_string(units) + " columns for " + std::to_string(n) +
                      " instances");
        }
        if (round_indices) {
          t.round_indices = std::move(*round_indices);
          if (t.round_indices.size() != rounds) input_error("round_indices: one per row");
          for (std::size_t r = 1; r < rounds; ++r) {
            if (t.round_indices[r] <= t.round_indices[r - 1]) {
              input_error("round_indices: must be ascending and unique");
            }
          }
        } else {
          t.round_indices.resize(rounds);
          std::iota(t.round_indices.begin(), t.round_indices.end(), std::int64_t{0});
        }
        t.inference_s.assign(inf.data(), inf.data() + inf.size());
        t.total_s.assign(tot.data(), tot.data() + tot.size());
        Outcomes outcomes;
        if (labels) {
          outcomes.kind = Outcomes::Kind::classification;
          outcomes.labels = std::move(*labels);
          outcomes.predictions =
              predictions ? std::move(*predictions) : std::vector<std::string>(n);
          if (outcomes.labels.size() != n || outcomes.predictions.size() != n) {
            input_error("labels and predictions: one per instance");
          }
        } else {
          outcomes.kind = Outcomes::Kind::score;
          outcomes.scores = scores ? std::move(*scores) : std::vector<double>(n, 0.0);
          if (outcomes.scores.size() != n) input_error("scores: one per instance");
          for (double s : outcomes.scores) {
            if (!(s >= 0 && s <= 1))
              input_error("score " + std::to_string(s) + " is not in [0, 1]");
          }
        }
        ImportRequest request;
        request.warmup_rounds = std::move(warmup_rounds);
        std::sort(request.warmup_rounds.begin(), request.warmup_rounds.end());
        request.experiment.model = model;
        request.experiment.dataset = dataset;
        request.experiment.backend = backend;
        request.experiment.metric = metric;
        request.output = path;
        request.overwrite = overwrite;
        py::gil_scoped_release release;
        write_imported_trace(t, outcomes, request);
      },
      "Writes a trace from arrays; use tailq.import_arrays.");
}

}  // namespace tailq::python
