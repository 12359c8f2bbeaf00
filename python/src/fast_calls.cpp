// The recorder's bracketing calls as raw CPython functions. A pybind11 call costs ~100 ns of
// dispatch (overload records, argument casters); a METH_NOARGS builtin bound to a capsule costs
// a few tens. The difference sits between two clock reads (e.g. from mark_pre's read to
// mark_infer's), so it is both overhead and measurement error: keep it small.
#include <Python.h>

#include <exception>

#include "bindings.hpp"
#include "native_recorder.hpp"

namespace tailq::python {
namespace {

constexpr const char* kCapsuleName = "tailq.recorder";

NativeRecorder& native(PyObject* capsule) {
  return *static_cast<NativeRecorder*>(PyCapsule_GetPointer(capsule, kCapsuleName));
}

template <class F>
PyObject* guarded(F&& call) {
  try {
    call();
  } catch (...) {
    set_python_error(std::current_exception());
    return nullptr;
  }
  Py_RETURN_NONE;
}

PyObject* mark_pre(PyObject* self, PyObject*) {
  return guarded([&] { native(self).recorder.mark_pre(); });
}
PyObject* mark_infer(PyObject* self, PyObject*) {
  return guarded([&] { native(self).recorder.mark_infer(); });
}
PyObject* mark_post(PyObject* self, PyObject*) {
  return guarded([&] { native(self).recorder.mark_post(); });
}
PyObject* end_batch(PyObject* self, PyObject*) {
  return guarded([&] { native(self).recorder.end_batch(); });
}
PyObject* abort_batch(PyObject* self, PyObject*) {
  return guarded([&] { native(self).recorder.abort_batch(); });
}
PyObject* begin_batch(PyObject* self, PyObject* ids) {
  return guarded([&] {
    NativeRecorder& r = native(self);
    read_ids(ids, r.ids);
    r.recorder.begin_batch(r.ids);
  });
}
PyObject* add_batch(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 3) {
    PyErr_SetString(PyExc_TypeError, "add_batch(ids, inference_s, total_s) takes 3 arguments");
    return nullptr;
  }
  const double inference = PyFloat_AsDouble(args[1]);
  if (inference == -1.0 && PyErr_Occurred()) return nullptr;
  const double total = PyFloat_AsDouble(args[2]);
  if (total == -1.0 && PyErr_Occurred()) return nullptr;
  return guarded([&] {
    NativeRecorder& r = native(self);
    read_ids(args[0], r.ids);
    r.recorder.add_batch(r.ids, inference, total);
  });
}

PyMethodDef kCalls[] = {
    {"begin_batch", begin_batch, METH_O, "Starts a batch of instance ids."},
    {"mark_pre", mark_pre, METH_NOARGS, "Ends pre-processing."},
    {"mark_infer", mark_infer, METH_NOARGS, "Ends inference."},
    {"mark_post", mark_post, METH_NOARGS, "Ends post-processing."},
    {"end_batch", end_batch, METH_NOARGS, "Ends the batch."},
    {"abort_batch", abort_batch, METH_NOARGS, "Drops the open batch."},
    {"add_batch", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(add_batch)),
     METH_FASTCALL, "add_batch(ids, inference_s, total_s): a batch timed by the caller."},
};

}  // namespace

py::dict recorder_fast_calls(py::handle native_recorder) {
  auto& target = native_recorder.cast<NativeRecorder&>();
  // The capsule holds the recorder's Python object, so the functions keep it alive.
  PyObject* capsule = PyCapsule_New(&target, kCapsuleName, [](PyObject* c) {
    Py_XDECREF(static_cast<PyObject*>(PyCapsule_GetContext(c)));
  });
  if (capsule == nullptr) throw py::error_already_set();
  py::object owner = py::reinterpret_steal<py::object>(capsule);
  Py_INCREF(native_recorder.ptr());
  PyCapsule_SetContext(capsule, native_recorder.ptr());
  py::dict calls;
  for (PyMethodDef& def : kCalls) {
    PyObject* function = PyCFunction_New(&def, capsule);
    if (function == nullptr) throw py::error_already_set();
    calls[def.ml_name] = py::reinterpret_steal<py::object>(function);
  }
  return calls;
}

}  // namespace tailq::python
