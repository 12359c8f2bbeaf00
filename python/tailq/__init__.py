"""tailq: the quality of ML inference when late answers count as failures.

Record rounds from any Python framework with :class:`Recorder`, open traces with
:class:`Trace`, and analyse them with the same code and options as the ``tailq`` command:
``analyze``, ``fit``, ``converge``, ``predict`` return dicts equal to the CLI's ``--json``
output (per-round quality as numpy arrays). Errors derive from :class:`Error`:
:class:`InputError` (also a ValueError), :class:`StoreError` and :class:`UsageError` (also
RuntimeErrors).

    import tailq
    with tailq.Recorder("digits.trace", labels=y, batch_size=32) as rec:
        while not rec.converged and rec.measured_rounds < 500:
            with rec.round() as r:
                for first in range(0, len(y), 32):
                    ids = range(first, min(first + 32, len(y)))
                    with r.batch(ids) as b:
                        x = prepare(ids); b.pre()
                        logits = model(x); b.infer()
                        top1 = logits.argmax(1).tolist(); b.post()
                    b.outputs(top1)
    print(tailq.analyze("digits.trace")["thresholds"][0]["quality"])
"""

import os

import numpy as _np

from . import _tailq
from ._recorder import Batch, Recorder, Round
from ._tailq import Error, InputError, StoreError, Trace, UsageError

__version__ = _tailq.__version__
__all__ = [
    "Batch", "Error", "InputError", "Recorder", "Round", "StoreError", "Trace", "UsageError",
    "analyze", "compare", "converge", "fit", "import_arrays", "predict", "report", "run",
    "run_options",
]


def _with_trace(trace, method, **options):
    if isinstance(trace, Trace):
        return getattr(trace, method)(**options)
    with Trace(os.fspath(trace)) as opened:
        return getattr(opened, method)(**options)


def analyze(trace, **options):
    """``tailq analyze --json`` as a dict; ``trace`` is a path or a Trace. See Trace.analyze."""
    return _with_trace(trace, "analyze", **options)


def fit(trace, **options):
    """``tailq fit --json`` as a dict; ``trace`` is a path or a Trace. See Trace.fit."""
    return _with_trace(trace, "fit", **options)


def converge(trace, **options):
    """``tailq converge --json`` as a dict; ``trace`` is a path or a Trace. See Trace.converge."""
    return _with_trace(trace, "converge", **options)


def predict(trace, **options):
    """``tailq predict --json`` as a dict; ``trace`` is a path or a Trace. See Trace.predict."""
    return _with_trace(trace, "predict", **options)


def report(trace, output="report.html", **options):
    """Writes ``tailq report``'s HTML page for ``trace`` to ``output``; returns its path."""
    return _with_trace(trace, "report", output=output, **options)


def compare(traces, *, sweep=100, threads=0, thresholds="p90,p99,p99.9", max_drop=1.0):
    """``tailq compare --json`` as a dict: traces of the same dataset and metric side by side.

    Load traces are compared by quality and capacity against load, every trace held to the
    first one's deadlines; ``max_drop`` is in points, as the CLI's ``--max-drop``."""
    return _tailq.compare([os.fspath(t) for t in traces], sweep=sweep, threads=threads,
                          thresholds=thresholds, max_drop=max_drop)


def import_arrays(path, inference, total, *, labels=None, predictions=None, scores=None,
                  names=None, batches=None, warmup_rounds=(), round_indices=None, model="",
                  dataset="", backend="", metric=None, overwrite=False):
    """Writes a trace from times already in memory, as ``tailq import`` does from files.

    inference, total: arrays of seconds, shape (rounds, instances), or (rounds, batches) with
    ``batches`` giving each instance's batch index. Outcomes: ``labels`` and ``predictions``
    (one per instance; a prediction is a label or labels best first) for classification, or
    ``scores`` in [0, 1]. ``warmup_rounds``: round indices to flag as warm-up. The trace
    appears whole or not at all; bad values raise InputError naming round and batch.
    """
    inference = _np.asarray(inference)
    total = _np.asarray(total)
    if inference.ndim != 2:
        raise InputError(f"inference: expected shape (rounds, instances), got {inference.shape}")
    if batches is not None:
        batches = [int(b) for b in batches]
        count = len(batches)
    elif labels is not None:
        count = len(labels)
    elif scores is not None:
        count = len(scores)
    else:
        count = inference.shape[1]
    if names is None:
        names = [str(i) for i in range(count)]
    else:
        names = [str(n) for n in names]
    if labels is not None:
        labels = [str(v) for v in labels]
        if predictions is None:
            raise InputError("labels need predictions (one per instance)")
        predictions = [" ".join(map(str, p)) if isinstance(p, (list, tuple, _np.ndarray))
                       else str(p) for p in predictions]
    elif predictions is not None:
        raise InputError("predictions need labels")
    elif scores is None:
        raise InputError("give labels and predictions (classification) or scores")
    else:
        scores = [float(s) for s in scores]
    return _tailq.import_arrays(
        os.fspath(path), inference, total, names, batches, labels, predictions, scores,
        [int(r) for r in warmup_rounds],
        None if round_indices is None else [int(r) for r in round_indices], str(model),
        str(dataset), str(backend), "" if metric is None else str(metric), bool(overwrite))


def run(output=None, *, resume=None, **options):
    """Measures a workload as ``tailq run`` does; returns what the run said as a dict.

    ``options`` are ``tailq run``'s options by key (see :func:`run_options`), with the values
    the command line takes: ``run("s.trace", workload="sleep", sleep_instances=100,
    epsilon=1, max_rounds=50)``. ``resume=TRACE`` continues an interrupted run. Ctrl-C stops
    it after the round in flight; every completed round is kept."""
    return _tailq.run(None if output is None else os.fspath(output),
                      resume=None if resume is None else os.fspath(resume), **options)


def run_options():
    """The options of :func:`run` (and of ``tailq run``): key, flag, help, default, whether a
    resumed run must match it, and what it applies to."""
    return _tailq.run_options()
