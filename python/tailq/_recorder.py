"""Recording rounds from Python: context managers over the C++ recorder.

The clock, the checks and the trace are C++ (``_tailq.NativeRecorder``); this layer only turns
calls into ``with`` blocks. One Round and one Batch object are made per Recorder and reused, and
their timing methods are the native calls themselves (plain CPython functions, see
python/src/fast_calls.cpp), so bracketing a batch costs a handful of C++ calls and no Python
allocation.
"""

import json
import math
import os

from . import _tailq


class Batch:
    """One batch of a round (from ``Round.batch(ids)``); use it in a ``with`` block.

    Marks are the END of a phase, read from the C++ monotonic clock when called:
    ``pre()`` ends pre-processing (optional), ``infer()`` ends inference (required), ``post()``
    ends post-processing (optional; the end of the ``with`` block otherwise). Inference time
    runs from ``pre()`` (or the start of the block) to ``infer()``; total time from the start
    of the block to ``post()`` (or its end).
    """

    __slots__ = ("_ids", "_begin", "_end", "_abort", "_native", "pre", "infer", "post")

    def __init__(self, native, calls):
        self._native = native
        self._ids = None
        self._begin = calls["begin_batch"]
        self._end = calls["end_batch"]
        self._abort = calls["abort_batch"]
        self.pre = calls["mark_pre"]
        self.infer = calls["mark_infer"]
        self.post = calls["mark_post"]

    def __enter__(self):
        self._begin(self._ids)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._end()
        else:
            self._abort()
        return False

    def inference(self):
        """A ``with`` block that is the inference phase: ``with b.inference(): y = model(x)``."""
        return _InferencePhase(self)

    def outputs(self, values):
        """Records the outputs of this batch's instances, in the order of its ids.

        Classification: one entry per instance, a label or labels best first (a sequence or a
        row of a 2-D integer array). Score traces: one score in [0, 1] per instance. Call it
        after ``post()`` (or after the block) so that it is not timed as post-processing.
        """
        self._native.outputs(self._ids, values)


class _InferencePhase:
    __slots__ = ("_batch",)

    def __init__(self, batch):
        self._batch = batch

    def __enter__(self):
        self._batch.pre()
        return self._batch

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._batch.infer()
        return False


class Round:
    """One round (from ``Recorder.round()``); use it in a ``with`` block.

    Leaving the block commits the round to the trace in one transaction (an exception inside
    the block drops it instead). Every instance must be timed exactly once per round, by
    ``batch(ids)`` blocks or ``add_batch`` calls; a round that misses one raises tailq.InputError
    when it ends and is not stored.
    """

    __slots__ = ("_native", "_batch", "add_batch", "outputs")

    def __init__(self, native):
        calls = native.fast_calls()
        self._native = native
        self._batch = Batch(native, calls)
        #: add_batch(ids, inference_s, total_s): a batch timed by the caller (seconds).
        self.add_batch = calls["add_batch"]
        #: outputs(ids, values): outputs of any instances of this round (see Batch.outputs).
        self.outputs = native.outputs

    def __enter__(self):
        self._native.begin_round()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._native.end_round()
        else:
            self._native.abort_round()
        return False

    def batch(self, ids):
        """A batch of instance indices (int, range, list, tuple or 1-D integer numpy array)."""
        batch = self._batch
        batch._ids = ids
        return batch

    @property
    def index(self):
        """The trace's index of this round."""
        return self._native.round_index

    @property
    def warmup(self):
        """True for a warm-up round (stored, flagged, left out of analysis and convergence)."""
        return self._native.round_is_warmup


def _names(names, count):
    if names is None:
        return [str(i) for i in range(count)]
    names = [str(n) for n in names]
    if len(names) != count:
        raise _tailq.InputError(f"names: {len(names)} for {count} instances")
    return names


def _labels(values, what):
    out = [str(v) for v in values]
    for v in out:
        if not v or any(c.isspace() for c in v):
            raise _tailq.InputError(f"{what}: label {v!r} is empty or contains white space")
    return out


def _batches(batch_size, batches, count):
    if batch_size is not None and batches is not None:
        raise _tailq.InputError("give batch_size or batches, not both")
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise _tailq.InputError(f"batch_size must be a positive int, got {batch_size!r}")
        return [i // batch_size for i in range(count)]
    if batches is None:
        return None
    out = [int(b) for b in batches]
    if len(out) != count or any(b < 0 for b in out):
        raise _tailq.InputError(f"batches: one batch index >= 0 per instance ({count})")
    return out


def _count(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _tailq.InputError(f"{what} must be an int >= 0, got {value!r}")
    return value


def _convergence(tau, fit_every, window, schedule):
    if not isinstance(tau, (int, float)) or not tau >= 0 or math.isinf(tau):
        raise _tailq.InputError(f"tau must be a number >= 0, got {tau!r}")
    return (float(tau), _count(fit_every, "fit_every"), _count(window, "window"), schedule)


class Recorder:
    """Records rounds into a trace that ``tailq analyze``, ``tailq report`` and tailq.Trace read.

    Recorder(path, labels=...) for classification (one true label per instance; predictions
    recorded with ``outputs``) or Recorder(path, instances=N) for per-instance scores in [0, 1].
    The trace appears whole or not at all; every round is committed in one transaction when its
    ``with`` block ends, so a killed process loses at most the round in flight (like tailq run).

    Batches: by default batch membership may change between rounds and each instance stores its
    batch's times; ``batch_size=k`` or ``batches=[b0, b1, ...]`` declares a fixed layout (times
    stored per batch; every batch of a round must be exactly one declared batch).

    The first ``warmup_rounds`` rounds are stored as warm-up. After every ``fit_every`` measured
    rounds the rJSD criterion of ``tailq run`` is evaluated; ``converged`` is true once it holds
    for inference and total time (``tau``, ``window``, ``schedule`` as ``tailq converge``).
    """

    __slots__ = ("_native", "_round")

    def __init__(self, path, labels=None, *, instances=None, names=None, predictions=None,
                 scores=None, batch_size=None, batches=None, input_sizes=None, warmup_rounds=2,
                 tau=0.02, fit_every=2, window=5, schedule="sliding", model="", dataset="",
                 backend="", metric=None, extra=None, overwrite=False):
        path = os.fspath(path)
        if os.path.exists(path) and not overwrite:
            raise _tailq.InputError(f"{path}: file exists (pass overwrite=True to replace it, or "
                                    "Recorder.resume to continue it)")
        if labels is not None:
            labels = _labels(labels, "labels")
            count = len(labels)
            if instances is not None and instances != count:
                raise _tailq.InputError(f"instances={instances} but {count} labels")
            if predictions is not None:
                predictions = [" ".join(map(str, p)) if isinstance(p, (list, tuple)) else str(p)
                               for p in predictions]
            if scores is not None:
                raise _tailq.InputError("scores are for score traces (no labels)")
        else:
            if predictions is not None:
                raise _tailq.InputError("predictions need labels")
            count = len(names) if instances is None and names is not None else instances
            if count is None:
                raise _tailq.InputError("give labels (classification) or instances=N (scores)")
            count = _count(count, "instances")
            if scores is not None:
                scores = [float(s) for s in scores]
        sizes = None
        if input_sizes is not None:
            sizes = [None if s is None or (isinstance(s, float) and math.isnan(s)) else float(s)
                     for s in input_sizes]
        self._native = _tailq.NativeRecorder.create(
            path, _names(names, count), labels, predictions, scores,
            _batches(batch_size, batches, count), sizes, _count(warmup_rounds, "warmup_rounds"),
            *_convergence(tau, fit_every, window, schedule), str(model), str(dataset),
            str(backend), "" if metric is None else str(metric), json.dumps(extra or {}),
            bool(overwrite))
        self._round = Round(self._native)

    @classmethod
    def resume(cls, path, *, warmup_rounds=2, tau=0.02, fit_every=2, window=5,
               schedule="sliding"):
        """Continues a trace that a Recorder wrote (after a crash, or to add rounds).

        Its settings (instances, outcomes, batch layout) come from the trace; the convergence
        state is rebuilt from its measured rounds; ``warmup_rounds`` warm-up rounds run again.
        """
        self = cls.__new__(cls)
        self._native = _tailq.NativeRecorder.resume(
            os.fspath(path), _count(warmup_rounds, "warmup_rounds"),
            *_convergence(tau, fit_every, window, schedule))
        self._round = Round(self._native)
        return self

    def round(self):
        """The next round, for ``with rec.round() as r:``."""
        return self._round

    def close(self):
        """Drops a round in flight and closes the trace (one file again). Idempotent."""
        self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    @property
    def converged(self):
        """True once rJSD <= tau for both inference and total time (docs/method.md 4a)."""
        return self._native.converged

    @property
    def rjsd(self):
        """The latest rJSD per time kind: {"inference": x or None, "total": y or None}."""
        return self._native.rjsd

    def rjsd_history(self):
        """Every evaluated rJSD: numpy arrays "round" (measured rounds fed), "inference", "total"."""
        return self._native.rjsd_history()

    @property
    def measured_rounds(self):
        """Measured rounds stored in the trace (earlier processes included when resumed)."""
        return self._native.measured_rounds

    @property
    def rounds_recorded(self):
        """Rounds this Recorder stored, warm-up included."""
        return self._native.rounds_recorded

    @property
    def next_round_warmup(self):
        """Whether the next round will be a warm-up round."""
        return self._native.round_is_warmup

    @property
    def instance_count(self):
        return self._native.instance_count

    @property
    def path(self):
        return self._native.path

    @property
    def closed(self):
        return self._native.closed

    @property
    def warnings(self):
        """What about this machine adds noise (governor, load), as tailq run warns."""
        return self._native.warnings
