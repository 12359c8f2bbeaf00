"""The type stubs name every public function, class, method and property, so that editors
complete the whole API (a name added to the code but not to a stub fails here)."""

import ast
import inspect
from pathlib import Path

import tailq

STUBS = Path(tailq.__file__).resolve().parent


def stub_names(file):
    tree = ast.parse((STUBS / file).read_text())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {n.name if hasattr(n, "name") else n.target.id
                                for n in node.body
                                if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = set()
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = set()
    return names


def public(cls):
    return {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")}


def test_package_stub_covers_the_api():
    names = stub_names("__init__.pyi")
    assert set(tailq.__all__) <= set(names)
    for cls in (tailq.Recorder, tailq.Round, tailq.Batch):
        assert public(cls) <= names[cls.__name__] | {"pre", "infer", "post", "add_batch",
                                                     "outputs"}, cls
    assert (STUBS / "py.typed").exists()


def test_extension_stub_covers_the_extension():
    names = stub_names("_tailq.pyi")
    assert public(tailq.Trace) <= names["Trace"]
    assert public(tailq._tailq.NativeRecorder) <= names["NativeRecorder"]
    assert {"import_arrays", "compare", "Error", "InputError", "StoreError", "UsageError"} <= set(names)
