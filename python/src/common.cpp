// Exceptions, JSON and id conversion for the `_tailq` extension (see bindings.hpp).
#include <Python.h>

#include <filesystem>
#include <limits>

#include "bindings.hpp"
#include "tailq/run_options.hpp"
#include "tailq/error.hpp"

namespace tailq::python {
namespace {

// Created once at import; Python owns them (the module keeps references).
PyObject* g_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_store_error = nullptr;
PyObject* g_usage_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, const char* doc, py::tuple bases) {
  const std::string qualified = std::string("tailq.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

std::uint32_t id_from(long long value) {
  // Out of range ids map to a value the recorder rejects with its own message.
  if (value < 0 || value > static_cast<long long>(std::numeric_limits<std::uint32_t>::max())) {
    input_error("instance id " + std::to_string(value) + " is not an instance index");
  }
  return static_cast<std::uint32_t>(value);
}

std::uint32_t id_from(py::handle item) {
  if (PyBool_Check(item.ptr()) || PyFloat_Check(item.ptr())) {
    input_error("instance ids must be integers, got " +
                std::string(py::str(py::type::of(item).attr("__name__"))));
  }
  PyObject* index = PyNumber_Index(item.ptr());  // int, numpy integer, 0-d integer tensor
  if (index == nullptr) {
    PyErr_Clear();
    input_error("instance ids must be integers, got " +
                std::string(py::str(py::type::of(item).attr("__name__"))));
  }
  const long long value = PyLong_AsLongLong(index);
  Py_DECREF(index);
  if (value == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    input_error("instance id out of range");
  }
  return id_from(value);
}

}  // namespace

void input_error(const std::string& message) {
  PyErr_SetString(g_input_error, message.c_str());
  throw py::error_already_set();
}

void bind_errors(py::module_& m) {
  g_error = new_exception(m, "Error", "Base class of every error tailq raises.",
                          py::make_tuple(py::handle(PyExc_Exception)));
  g_input_error =
      new_exception(m, "InputError",
                    "Bad input: a wrong shape, NaN or negative time, unknown instance or option.",
                    py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError)));
  g_store_error =
      new_exception(m, "StoreError", "The trace file could not be read or written.",
                    py::make_tuple(py::handle(g_error), py::handle(PyExc_RuntimeError)));
  g_usage_error =
      new_exception(m, "UsageError",
                    "A call out of order: a batch outside a round, nested rounds, a closed object.",
                    py::make_tuple(py::handle(g_error), py::handle(PyExc_RuntimeError)));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const OptionError& e) {
      // The library names the setting by its key, which is the Python keyword too.
      PyErr_SetString(g_input_error, (e.key() + ": " + e.what()).c_str());
    } catch (const InputError& e) {
      PyErr_SetString(g_input_error, e.what());
    } catch (const StoreError& e) {
      PyErr_SetString(g_store_error, e.what());
    } catch (const UsageError& e) {
      PyErr_SetString(g_usage_error, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });
}

void set_python_error(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const OptionError& e) {
    PyErr_SetString(g_input_error, (e.key() + ": " + e.what()).c_str());
  } catch (const InputError& e) {
    PyErr_SetString(g_input_error, e.what());
  } catch (const StoreError& e) {
    PyErr_SetString(g_store_error, e.what());
  } catch (const UsageError& e) {
    PyErr_SetString(g_usage_error, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
}

py::object json_to_python(const std::string& text) {
  // Never destroyed: a static py::object would be released after the interpreter is gone.
  static auto* loads = new py::object(py::module_::import("json").attr("loads"));
  return (*loads)(text);
}

void read_ids(py::handle ids, std::vector<std::uint32_t>& out) {
  out.clear();
  PyObject* o = ids.ptr();
  if (PyLong_Check(o)) {
    out.push_back(id_from(ids));
    return;
  }
  if (PyRange_Check(o)) {  // range(a, b[, step]) without iterating a Python object per id
    const long long start = py::int_(ids.attr("start")).cast<long long>();
    const long long step = py::int_(ids.attr("step")).cast<long long>();
    const auto count = static_cast<long long>(PyObject_Length(o));
    if (count < 0) throw py::error_already_set();
    for (long long k = 0; k < count; ++k) out.push_back(id_from(start + k * step));
    return;
  }
  if (PyList_Check(o) || PyTuple_Check(o)) {
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    for (Py_ssize_t k = 0; k < n; ++k) {
      PyObject* item = items[k];
      if (PyLong_CheckExact(item)) {
        const long long value = PyLong_AsLongLong(item);
        if (value == -1 && PyErr_Occurred()) {
          PyErr_Clear();
          input_error("instance id out of range");
        }
        out.push_back(id_from(value));
      } else {
        out.push_back(id_from(py::handle(item)));
      }
    }
    return;
  }
  if (py::isinstance<py::array>(ids)) {
    const auto array = py::reinterpret_borrow<py::array>(ids);
    const char kind = array.dtype().kind();
    if (array.ndim() != 1 || (kind != 'i' && kind != 'u')) {
      input_error("instance ids: a 1-D integer array, got " + std::to_string(array.ndim()) +
                  "-D of dtype " + std::string(py::str(array.dtype())));
    }
    const auto values = py::array_t<std::int64_t, py::array::forcecast>::ensure(ids);
    if (!values) throw py::error_already_set();
    const auto view = values.unchecked<1>();
    for (py::ssize_t k = 0; k < view.shape(0); ++k)
      out.push_back(id_from(static_cast<long long>(view(k))));
    return;
  }
  if (PyUnicode_Check(o) || PyBytes_Check(o) || PyFloat_Check(o) || o == Py_None) {
    input_error("instance ids: an int or a sequence of ints, got " +
                std::string(py::str(py::type::of(ids).attr("__name__"))));
  }
  PyObject* iterator = PyObject_GetIter(o);  // range, tensors, generators
  if (iterator == nullptr) {
    PyErr_Clear();
    input_error("instance ids: an int or a sequence of ints, got " +
                std::string(py::str(py::type::of(ids).attr("__name__"))));
  }
  py::object keep = py::reinterpret_steal<py::object>(iterator);
  while (PyObject* item = PyIter_Next(iterator)) {
    py::object owned = py::reinterpret_steal<py::object>(item);
    out.push_back(id_from(owned));
  }
  if (PyErr_Occurred()) throw py::error_already_set();
}

}  // namespace tailq::python
