// Shared pieces of the `_tailq` extension: the exception mapping, numpy arrays that own (or
// keep alive) C++ memory without copying it, JSON reports as Python objects, and instance ids
// read from any Python sequence without building a temporary list.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq::python {

namespace py = pybind11;

// An open trace as Python holds it. Arrays handed out keep the reader alive (zero-copy), so the
// SQLite connection closes when the trace is closed and the last such array is gone.
struct NativeTrace {
  std::shared_ptr<const TraceReader> reader;        // null once closed
  std::mutex read_mutex;                            // read_times shares one connection
  std::shared_ptr<const TraceReader> open() const;  // raises tailq.UsageError once closed
};

// tailq.Error and its subclasses; maps tailq::InputError, StoreError and UsageError to them.
void bind_errors(py::module_& m);
void bind_recorder(py::module_& m);
// A dict of the recorder's hot calls as raw CPython functions (see fast_calls.cpp).
py::dict recorder_fast_calls(py::handle native_recorder);
void bind_trace(py::module_& m);
void bind_analysis(py::class_<NativeTrace>& trace);
void bind_import(py::module_& m);
void bind_run(py::module_& m);

// Sets the Python error for a caught C++ exception, as pybind11's translators would (for raw
// CPython functions, which bypass pybind11).
void set_python_error(std::exception_ptr p);

// Raises tailq.InputError with `message` (for checks done in the binding layer).
[[noreturn]] void input_error(const std::string& message);

// The CLI's JSON text as Python objects (json.loads: the very same numbers).
py::object json_to_python(const std::string& text);

// A numpy array over memory that `owner` keeps alive (no copy); `owner` is held by a capsule.
template <class T, class Owner>
py::array_t<T> array_over(const T* data, std::vector<py::ssize_t> shape,
                          std::shared_ptr<Owner> owner, bool writeable = true) {
  auto* keep = new std::shared_ptr<Owner>(std::move(owner));
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); });
  py::array_t<T> array(std::move(shape), data, base);
  if (!writeable)
    py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return array;
}

// A numpy array that takes over a vector (no copy).
template <class T>
py::array_t<T> array_from(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto owned = std::make_shared<std::vector<T>>(std::move(values));
  const T* data = owned->data();
  return array_over(data, std::move(shape), std::move(owned));
}

// Instance ids from an int, a range, a list or tuple, a 1-D integer numpy array, or any
// iterable of integers, into `out` (cleared first). Raises tailq.InputError for anything else.
void read_ids(py::handle ids, std::vector<std::uint32_t>& out);

}  // namespace tailq::python
