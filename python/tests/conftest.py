"""Shared fixtures of the Python tests: the CLI to compare with, and small traces.

Run through ctest (python_tests), which sets PYTHONPATH to the build tree's package and
TAILQ_CLI to the built `tailq`; or by hand:
    PYTHONPATH=build/python TAILQ_CLI=build/tailq /usr/bin/python3 -m pytest -q python/tests
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("TAILQ_SOURCE_DIR", Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("TAILQ_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set TAILQ_CLI to the built tailq executable (ctest does)")
    return path


@pytest.fixture(scope="session")
def run_cli(cli):
    """Runs `tailq ARGS`; returns stdout (parsed when --json is among the arguments)."""

    def run(*args, check=True):
        done = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"tailq {' '.join(map(str, args))}: {done.stderr}")
        if not check:
            return done
        return json.loads(done.stdout) if "--json" in args else done.stdout

    return run


@pytest.fixture(scope="session")
def generated_trace(tmp_path_factory, run_cli):
    """A small synthetic trace from `tailq generate`: 50 measured rounds, 2 warm-up, batches of 4."""
    path = tmp_path_factory.mktemp("generated") / "g.trace"
    run_cli("generate", "-o", path, "--rounds", 50, "--warmup-rounds", 2, "--instances", 400,
            "--batch-size", 4, "--classes", 10, "--accuracy", 0.8, "--seed", 7)
    return path


def run_python(script, *args, **kwargs):
    """Runs a Python script with this interpreter and the same module path."""
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True,
                          text=True, env=dict(os.environ), **kwargs)
