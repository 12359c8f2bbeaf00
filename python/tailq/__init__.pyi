# Type hints of the `tailq` package, for editors and type checkers (the code: __init__.py,
# _recorder.py and the C++ extension _tailq).
from pathlib import Path
from types import TracebackType
from typing import Any, Iterable, Literal, Sequence, Union

import numpy as np
import numpy.typing as npt

from ._tailq import Error as Error
from ._tailq import Ids, StrPath, Thresholds, TimeKind
from ._tailq import InputError as InputError
from ._tailq import StoreError as StoreError
from ._tailq import Trace as Trace
from ._tailq import UsageError as UsageError

__version__: str

Predictions = Union[Sequence[Union[str, int, Sequence[Union[str, int]]]],
                    npt.NDArray[np.integer[Any]]]

class Batch:
    """One batch of a round; marks end a phase: pre() (optional), infer(), post() (optional)."""

    def __enter__(self) -> Batch: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]: ...
    def pre(self) -> None:
        """Ends pre-processing; inference starts."""
    def infer(self) -> None:
        """Ends inference (required once per batch)."""
    def post(self) -> None:
        """Ends post-processing (else the end of the with block does)."""
    def inference(self) -> Any:
        """A with block that is the inference phase."""
    def outputs(self, values: Union[Predictions, Sequence[float], npt.NDArray[np.floating[Any]]]) -> None:
        """Outputs of this batch's instances in the order of its ids."""

class Round:
    """One round; leaving the with block commits it (an exception drops it)."""

    def __enter__(self) -> Round: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]: ...
    def batch(self, ids: Ids) -> Batch: ...
    def add_batch(self, ids: Ids, inference_s: float, total_s: float) -> None:
        """A batch timed by the caller, in seconds (0 <= inference <= total)."""
    def outputs(self, ids: Ids, values: Any) -> None: ...
    @property
    def index(self) -> int: ...
    @property
    def warmup(self) -> bool: ...

class Recorder:
    """Records rounds into a trace, crash-safe like `tailq run`, with the rJSD monitor."""

    def __init__(self, path: StrPath, labels: Iterable[Any] | None = None, *,
                 instances: int | None = None, names: Sequence[Any] | None = None,
                 predictions: Predictions | None = None, scores: Sequence[float] | None = None,
                 batch_size: int | None = None, batches: Sequence[int] | None = None,
                 input_sizes: Sequence[float | None] | None = None, warmup_rounds: int = 2,
                 tau: float = 0.02, fit_every: int = 2, window: int = 5,
                 schedule: Literal["sliding", "paper"] = "sliding", model: str = "",
                 dataset: str = "", backend: str = "", metric: str | None = None,
                 extra: dict[str, Any] | None = None, overwrite: bool = False) -> None: ...
    @classmethod
    def resume(cls, path: StrPath, *, warmup_rounds: int = 2, tau: float = 0.02,
               fit_every: int = 2, window: int = 5,
               schedule: Literal["sliding", "paper"] = "sliding") -> Recorder: ...
    def round(self) -> Round: ...
    def close(self) -> None: ...
    def __enter__(self) -> Recorder: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]: ...
    @property
    def converged(self) -> bool: ...
    @property
    def rjsd(self) -> dict[str, float | None]: ...
    def rjsd_history(self) -> dict[str, npt.NDArray[Any]]: ...
    @property
    def measured_rounds(self) -> int: ...
    @property
    def rounds_recorded(self) -> int: ...
    @property
    def next_round_warmup(self) -> bool: ...
    @property
    def instance_count(self) -> int: ...
    @property
    def path(self) -> Path: ...
    @property
    def closed(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...

def analyze(trace: Union[StrPath, Trace], *, time: TimeKind = "total",
            thresholds: Thresholds = "p90,p95,p99,p99.9", sweep: int = 0,
            sweep_trim_outliers: bool = False, metric: str = "",
            rounds: Union[None, str, tuple[int | None, int | None]] = None, threads: int = 0,
            guarantee: str = "", confidence: float = 0.95, bad_round: float = 0.05,
            epsilon: float = 0.01, arrays: bool = True) -> dict[str, Any]: ...
def fit(trace: Union[StrPath, Trace], *, time: TimeKind = "total", slowest: int = 10,
        threads: int = 0) -> dict[str, Any]: ...
def converge(trace: Union[StrPath, Trace], *, stop: Literal["rjsd", "precision"] = "rjsd",
             fit_every: int = 2, window: int = 5, tau: float = 0.02,
             schedule: Literal["sliding", "paper"] = "sliding", instances: int = 0,
             epsilon: float = 0.01, confidence: float = 0.95, bad_round: float = 0.05,
             thresholds: Thresholds = "p99", time: TimeKind = "total",
             metric: str = "") -> dict[str, Any]: ...
def predict(trace: Union[StrPath, Trace], *, time: TimeKind = "total",
            thresholds: Thresholds = "p90,p95,p99", holdout: int = 0, simulations: int = 1000,
            model: Literal["independent", "round-effect", "both"] = "both", metric: str = "",
            seed: int = 1, threads: int = 0) -> dict[str, Any]: ...
def report(trace: Union[StrPath, Trace], output: StrPath = "report.html", *, sweep: int = 100,
           threads: int = 0) -> Path: ...
def compare(traces: Sequence[StrPath], *, sweep: int = 100, threads: int = 0,
            thresholds: str = "p90,p99,p99.9", max_drop: float = 1.0) -> dict[str, Any]: ...
def import_arrays(path: StrPath, inference: npt.ArrayLike, total: npt.ArrayLike, *,
                  labels: Sequence[Any] | None = None, predictions: Predictions | None = None,
                  scores: Sequence[float] | None = None, names: Sequence[Any] | None = None,
                  batches: Sequence[int] | None = None, warmup_rounds: Iterable[int] = (),
                  round_indices: Iterable[int] | None = None, model: str = "",
                  dataset: str = "", backend: str = "", metric: str | None = None,
                  overwrite: bool = False) -> None: ...
def run(output: StrPath | None = None, *, resume: StrPath | None = None,
        **options: Any) -> dict[str, Any]: ...
def run_options() -> list[dict[str, Any]]: ...
