# Type hints of the C++ extension (python/src/*.cpp). Use the `tailq` package, not this module.
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

StrPath = Union[str, os.PathLike[str]]
Ids = Union[int, range, Sequence[int], npt.NDArray[np.integer[Any]], Iterable[int]]
TimeKind = Literal["total", "inference"]
Thresholds = Union[str, Sequence[Union[str, float]]]

class Error(Exception):
    """Base class of every error tailq raises."""

class InputError(Error, ValueError):
    """Bad input: a wrong shape, NaN or negative time, unknown instance or option."""

class StoreError(Error, RuntimeError):
    """The trace file could not be read or written."""

class UsageError(Error, RuntimeError):
    """A call out of order: a batch outside a round, nested rounds, a closed object."""

class Trace:
    """A trace opened for reading (written by tailq run/import/generate or a Recorder)."""

    def __init__(self, path: StrPath) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Trace: ...
    def __exit__(self, *args: object) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> Path: ...
    @property
    def experiment(self) -> dict[str, Any]:
        """model, dataset, backend, metric, and the system/settings/extra JSON objects."""
    @property
    def instance_names(self) -> list[str]: ...
    @property
    def batch_of_instance(self) -> npt.NDArray[np.uint32]:
        """Batch index of every instance (read-only view of the trace's own array)."""
    @property
    def batch_count(self) -> int: ...
    @property
    def input_sizes(self) -> npt.NDArray[np.float64]:
        """Input size of every instance (NaN where unknown)."""
    @property
    def outcome_kind(self) -> Literal["classification", "score", "text", "none"]: ...
    @property
    def labels(self) -> list[str] | None: ...
    @property
    def predictions(self) -> list[str] | None:
        """Predicted labels per instance, separated by spaces, best first."""
    @property
    def scores(self) -> npt.NDArray[np.float64] | None: ...
    @property
    def round_indices(self) -> npt.NDArray[np.int64]:
        """Every stored round, warm-up included, ascending."""
    @property
    def warmup(self) -> npt.NDArray[np.bool_]: ...
    @property
    def started_unix_s(self) -> npt.NDArray[np.float64]: ...
    @property
    def measured_round_indices(self) -> npt.NDArray[np.int64]: ...
    def times(self, time: TimeKind = "total",
              rounds: Union[str, Sequence[int]] = "measured",
              per_instance: bool = False) -> npt.NDArray[np.float64]:
        """Round times in seconds, shape (rounds, batches) or (rounds, instances).

        rounds: "measured", "all", "A:B" (measured rounds A to B - 1, counted from 0 after the
        warm-up) or stored round indices (as in rounds()).
        """
    def analyze(self, *, time: TimeKind = "total", thresholds: Thresholds = "p90,p95,p99,p99.9",
                sweep: int = 0, sweep_trim_outliers: bool = False, metric: str = "",
                rounds: Union[None, str, tuple[int | None, int | None]] = None,
                threads: int = 0, guarantee: str = "", confidence: float = 0.95,
                bad_round: float = 0.05, epsilon: float = 0.01,
                arrays: bool = True) -> dict[str, Any]:
        """`tailq analyze --json` as a dict (per-round lists as numpy arrays if arrays)."""
    def fit(self, *, time: TimeKind = "total", slowest: int = 10,
            threads: int = 0) -> dict[str, Any]:
        """`tailq fit --json` as a dict."""
    def converge(self, *, stop: Literal["rjsd", "precision"] = "rjsd", fit_every: int = 2,
                 window: int = 5, tau: float = 0.02,
                 schedule: Literal["sliding", "paper"] = "sliding", instances: int = 0,
                 epsilon: float = 0.01, confidence: float = 0.95, bad_round: float = 0.05,
                 thresholds: Thresholds = "p99", time: TimeKind = "total",
                 metric: str = "") -> dict[str, Any]:
        """`tailq converge --json` as a dict."""
    def predict(self, *, time: TimeKind = "total", thresholds: Thresholds = "p90,p95,p99",
                holdout: int = 0, simulations: int = 1000,
                model: Literal["independent", "round-effect", "both"] = "both",
                metric: str = "", seed: int = 1, threads: int = 0) -> dict[str, Any]:
        """`tailq predict --json` as a dict."""
    def report(self, output: StrPath = "report.html", *, sweep: int = 100,
               threads: int = 0) -> Path:
        """Writes `tailq report`'s HTML page; returns its path."""

class NativeRecorder:
    """The C++ recorder behind tailq.Recorder."""

    @staticmethod
    def create(path: StrPath, names: list[str], labels: list[str] | None,
               predictions: list[str] | None, scores: list[float] | None,
               batches: list[int] | None, input_sizes: list[float | None] | None,
               warmup_rounds: int, tau: float, fit_every: int, window: int, schedule: str,
               model: str, dataset: str, backend: str, metric: str, extra_json: str,
               overwrite: bool) -> NativeRecorder: ...
    @staticmethod
    def resume(path: StrPath, warmup_rounds: int, tau: float, fit_every: int, window: int,
               schedule: str) -> NativeRecorder: ...
    def fast_calls(self) -> dict[str, Callable[..., None]]: ...
    def begin_round(self) -> None: ...
    def begin_batch(self, ids: Ids) -> None: ...
    def mark_pre(self) -> None: ...
    def mark_infer(self) -> None: ...
    def mark_post(self) -> None: ...
    def end_batch(self) -> None: ...
    def abort_batch(self) -> None: ...
    def add_batch(self, ids: Ids, inference_s: float, total_s: float) -> None: ...
    def outputs(self, ids: Ids, values: Any) -> None: ...
    def end_round(self) -> None: ...
    def abort_round(self) -> None: ...
    def close(self) -> None: ...
    closed: bool
    in_round: bool
    in_batch: bool
    round_is_warmup: bool
    round_index: int
    measured_rounds: int
    rounds_recorded: int
    converged: bool
    instance_count: int
    fixed_batches: bool
    outcome_kind: str
    path: Path
    warnings: list[str]
    rjsd: dict[str, float | None]
    def rjsd_history(self) -> dict[str, npt.NDArray[Any]]: ...

def import_arrays(path: StrPath, inference: Any, total: Any, names: list[str],
                  batches: list[int] | None, labels: list[str] | None,
                  predictions: list[str] | None, scores: list[float] | None,
                  warmup_rounds: list[int], round_indices: list[int] | None, model: str,
                  dataset: str, backend: str, metric: str, overwrite: bool) -> None: ...
def compare(traces: Sequence[StrPath], *, sweep: int = 100, threads: int = 0,
            thresholds: str = "p90,p99,p99.9", max_drop: float = 1.0) -> dict[str, Any]: ...
def run(output: StrPath | None = None, *, resume: StrPath | None = None,
        **options: Any) -> dict[str, Any]:
    """`tailq run` from Python; keywords are the options' keys."""
def run_options() -> list[dict[str, Any]]:
    """The options of run() with key, flag, help, default and what they apply to."""
