"""The examples produce traces that `tailq analyze` and `tailq report` accept."""

from pathlib import Path

import pytest

from conftest import SOURCE_DIR, run_python

EXAMPLES = SOURCE_DIR / "python" / "examples"
DEFAULT_MODEL = SOURCE_DIR / "workloads" / "digits" / "model" / "digits_cnn.pt"


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    """The trained digits CNN; trained here (seconds) when the checkout has none yet."""
    if DEFAULT_MODEL.exists():
        return DEFAULT_MODEL
    model = tmp_path_factory.mktemp("model") / "digits_cnn.pt"
    done = run_python(SOURCE_DIR / "workloads" / "digits" / "train.py", "--out", model)
    assert done.returncode == 0, done.stderr
    return model


def check_accepted(run_cli, trace: Path, tmp_path: Path):
    analysis = run_cli("analyze", trace, "--json")
    report = tmp_path / "report.html"
    run_cli("report", trace, "-o", report, "--sweep", "10")
    assert report.stat().st_size > 10_000
    return analysis


def test_record_digits(tmp_path, run_cli, digits_model):
    trace = tmp_path / "digits.trace"
    done = run_python(EXAMPLES / "record_digits.py", "-o", trace, "--model", digits_model,
                      "--max-rounds", 4, "--warmup-rounds", 1, "--batch-size", 90)
    assert done.returncode == 0, done.stderr
    assert "4 measured rounds" in done.stdout
    analysis = check_accepted(run_cli, trace, tmp_path)
    assert analysis["rounds"] == 4 and analysis["instances"] == 360
    assert analysis["nominal_quality"] > 0.95  # the trainer's test accuracy is 98.6%
    assert run_cli("analyze", trace, "--json", "--metric", "top5")["nominal_quality"] > 0.99


def test_import_numpy(tmp_path, run_cli):
    trace = tmp_path / "imported.trace"
    done = run_python(EXAMPLES / "import_numpy.py", "--demo", tmp_path / "times.npz", "-o", trace,
                      "--rounds", 12, "--instances", 50)
    assert done.returncode == 0, done.stderr
    analysis = check_accepted(run_cli, trace, tmp_path)
    assert analysis["rounds"] == 10 and analysis["instances"] == 50
