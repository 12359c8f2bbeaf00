"""Bad calls raise clear Python exceptions (never crash the interpreter), change nothing, and
leave the recorder usable."""

import math

import numpy as np
import pytest

import tailq


@pytest.fixture
def rec(tmp_path):
    with tailq.Recorder(tmp_path / "e.trace", labels=list("abcdef"), warmup_rounds=0) as recorder:
        yield recorder


def test_hierarchy():
    assert issubclass(tailq.InputError, tailq.Error) and issubclass(tailq.InputError, ValueError)
    assert issubclass(tailq.UsageError, RuntimeError) and issubclass(tailq.StoreError, tailq.Error)


@pytest.mark.parametrize("ids, message", [
    ([0, 6], "6 is not an instance"),
    ([1, 1], "instance 1 ('1') is timed twice"),
    ([-1], "-1 is not an instance"),
    ([0.5], "must be integers, got float"),
    (["0"], "must be integers, got str"),
    ("0", "an int or a sequence of ints, got str"),
    (np.array([[0, 1]]), "1-D integer array"),
    (np.array([0.0]), "1-D integer array"),
    ([], "at least one instance"),
    (None, "got NoneType"),
    ([True], "got bool"),
])
def test_bad_ids(rec, ids, message):
    with pytest.raises(tailq.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        with rec.round() as r:
            r.add_batch(ids, 0.001, 0.001)


@pytest.mark.parametrize("inference, total", [
    (math.nan, 0.001), (0.001, math.nan), (-0.001, 0.001), (0.002, 0.001), (0, math.inf)])
def test_bad_times(rec, inference, total):
    with pytest.raises(tailq.InputError, match="need finite 0 <= inference <= total"):
        with rec.round() as r:
            r.add_batch([0], inference, total)


def test_a_round_with_a_missing_or_repeated_instance_stores_nothing(rec, tmp_path):
    with pytest.raises(tailq.InputError, match="1 of 6 instances were not timed .*5 '5'"):
        with rec.round() as r:
            r.add_batch(range(5), 0.001, 0.001)
    with rec.round() as r:  # a failed call inside a round changes nothing
        r.add_batch([0, 1, 2], 0.001, 0.001)
        with pytest.raises(tailq.InputError, match="timed twice"):
            r.add_batch([3, 2], 0.001, 0.001)
        r.add_batch([3, 4, 5], 0.001, 0.001)
    with pytest.raises(tailq.InputError, match="outputs given for 2 of 6"):
        with rec.round() as r:
            r.add_batch(range(6), 0.001, 0.001)
            r.outputs([0, 1], ["a", "b"])
    assert rec.measured_rounds == 1
    with tailq.Trace(tmp_path / "e.trace") as trace:
        assert list(trace.round_indices) == [0]


def test_calls_out_of_order(rec):
    with pytest.raises(tailq.UsageError, match="outside a round"):
        rec.round().add_batch([0], 0.001, 0.001)
    with pytest.raises(tailq.UsageError, match="outside a round"):
        with rec.round().batch([0]):
            pass
    with pytest.raises(tailq.UsageError, match="rounds do not nest"):
        with rec.round():
            with rec.round():
                pass
    with pytest.raises(tailq.UsageError, match="batches do not nest"):
        with rec.round() as r:
            with r.batch([0]):
                with r.batch([1]):
                    pass
    with pytest.raises(tailq.UsageError, match="without infer"):
        with rec.round() as r:
            with r.batch([0]):
                pass
    with pytest.raises(tailq.UsageError, match="before infer"):
        with rec.round() as r:
            with r.batch([0]) as b:
                b.infer()
                b.pre()
    with pytest.raises(tailq.UsageError, match="after infer"):
        with rec.round() as r:
            with r.batch([0]) as b:
                b.post()
    with pytest.raises(tailq.UsageError, match="outside a batch"):
        with rec.round() as r:
            with r.batch([0]) as b:
                b.infer()
            b.infer()
    assert rec.measured_rounds == 0 and not rec._native.in_round
    with rec.round() as r:  # still usable
        r.add_batch(range(6), 0.001, 0.001)
    rec.close()
    with pytest.raises(tailq.UsageError, match="closed"):
        with rec.round():
            pass


def test_exceptions_in_user_code_drop_the_round(rec):
    with pytest.raises(KeyError):
        with rec.round() as r:
            with r.batch([0, 1]) as b:
                b.infer()
            raise KeyError("model failed")
    assert rec.measured_rounds == 0 and not rec._native.in_round


def test_bad_outputs(tmp_path):
    with tailq.Recorder(tmp_path / "s.trace", instances=2, warmup_rounds=0) as rec:
        for values, error, message in [([0.5], tailq.InputError, "1 outputs for 2"),
                                       ([0.5, 1.5], tailq.InputError, r"1.5.* not in \[0, 1\]"),
                                       ([0.5, math.nan], tailq.InputError, "not in"),
                                       ([[0.5, 0.5]], tailq.InputError, "1-D sequence"),
                                       (["x", "y"], tailq.InputError, "1-D sequence")]:
            with pytest.raises(error, match=message):
                with rec.round() as r:
                    r.outputs([0, 1], values)
    with tailq.Recorder(tmp_path / "c.trace", labels=["a", "b"], warmup_rounds=0) as rec:
        with pytest.raises(tailq.InputError, match="given twice"):
            with rec.round() as r:
                r.outputs([0, 0], ["a", "b"])
        with pytest.raises(tailq.InputError, match="one entry per instance"):
            with rec.round() as r:
                r.outputs([0, 1], "ab")


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(labels=["a b"]), tailq.InputError, "white space"),
    (dict(labels=["a", "b"], names=["x", "x"]), tailq.InputError, "given twice"),
    (dict(labels=["a", "b", "c"], batches=[0, 2, 2]), tailq.InputError, "batch 1 has no instance"),
    (dict(labels=["a", "b"], batches=[0, 2]), tailq.InputError, "numbered 0..B-1"),
    (dict(labels=["a", "b"], batch_size=0), tailq.InputError, "positive int"),
    (dict(labels=["a"], metric="bleu"), tailq.InputError, "bleu"),
    (dict(labels=["a"], tau=math.nan), tailq.InputError, "tau"),
    (dict(labels=["a"], window=0), tailq.InputError, "window: must be between 1 and"),
    (dict(labels=["a"], schedule="daily"), tailq.InputError, "schedule"),
    (dict(), tailq.InputError, "give labels"),
    (dict(instances=0), tailq.InputError, "at least one instance"),
    (dict(instances=2, scores=[0.5, 2]), tailq.InputError, "not in"),
])
def test_bad_recorder_settings(tmp_path, kwargs, error, message):
    path = tmp_path / "bad.trace"
    with pytest.raises(error, match=message):
        tailq.Recorder(path, **kwargs)
    assert not path.exists()


def test_existing_file_and_bad_traces(tmp_path, generated_trace):
    with pytest.raises(tailq.InputError, match="file exists"):
        tailq.Recorder(generated_trace, instances=1)
    with pytest.raises(tailq.InputError, match="not a trace written by a recorder"):
        tailq.Recorder.resume(generated_trace)
    junk = tmp_path / "junk.trace"
    junk.write_text("not sqlite")
    with pytest.raises(tailq.StoreError, match="junk.trace"):
        tailq.Trace(junk)
    with pytest.raises(tailq.StoreError):
        tailq.Trace(tmp_path / "missing.trace")
    with tailq.Trace(generated_trace) as trace:
        with pytest.raises(tailq.InputError, match="p101|percent|threshold"):
            trace.analyze(thresholds="p101")
        with pytest.raises(tailq.InputError, match="time"):
            trace.times("wall")
        with pytest.raises(tailq.InputError, match="round 99"):
            trace.times(rounds=[99])
        with pytest.raises(tailq.InputError, match="holdout"):
            trace.predict(holdout=500)
        with pytest.raises(tailq.InputError, match="metric|score"):
            trace.analyze(metric="score")
        with pytest.raises(tailq.InputError, match="rounds"):
            trace.analyze(rounds="5:2")
        with pytest.raises(TypeError):
            trace.analyze(sweep=-1)
    with pytest.raises(tailq.UsageError, match="closed"):
        trace.analyze()


@pytest.mark.parametrize("inference, total, kwargs, message", [
    (np.zeros(5), np.zeros(5), dict(scores=[0.5] * 5), "shape"),
    (np.zeros((2, 3)), np.zeros((2, 4)), dict(scores=[0.5] * 3), "shapes differ"),
    (np.full((2, 3), np.nan), np.zeros((2, 3)), dict(scores=[0.5] * 3), "not a finite"),
    (-np.ones((2, 3)), -np.ones((2, 3)), dict(scores=[0.5] * 3), "not a finite non-negative"),
    (np.zeros((2, 3)), np.zeros((2, 3)), dict(scores=[0.5] * 2), "columns for 2 instances"),
    (np.zeros((2, 3)), np.zeros((2, 3)), dict(labels=["a"] * 3), "need predictions"),
    (np.zeros((2, 3)), np.zeros((2, 3)), dict(scores=[0.5] * 3, warmup_rounds=[0, 1]),
     "every round is a warm-up"),
    (np.array([["a"] * 3] * 2), np.zeros((2, 3)), dict(scores=[0.5] * 3), "not an array of numbers"),
])
def test_bad_import_arrays(tmp_path, inference, total, kwargs, message):
    path = tmp_path / "i.trace"
    with pytest.raises(tailq.InputError, match=message):
        tailq.import_arrays(path, inference, total, **kwargs)
    assert not path.exists()


class LyingSequence:
    """Claims 1 item and yields 3."""

    def __len__(self):
        return 1

    def __getitem__(self, k):
        if k >= 3:
            raise IndexError(k)
        return "a"


def test_odd_arguments_raise_instead_of_crashing(tmp_path):
    selfish = []
    selfish.append(selfish)
    odd = [None, "x", b"x", 1.5, -1, 2**70, [], [[0]], {0: 1}, {0}, selfish, LyingSequence(),
           np.array(0), np.array([[1]]), np.array(["a"]), object(), iter([0, 99]), math.nan]
    with tailq.Recorder(tmp_path / "odd.trace", labels=["a", "b"], warmup_rounds=0) as rec:
        native = rec._native
        calls = native.fast_calls()
        for value in odd:
            for call in (lambda v: calls["begin_batch"](v),
                         lambda v: calls["add_batch"](v, 0.001, 0.001),
                         lambda v: calls["add_batch"]([0], v, v),
                         lambda v: native.outputs(v, ["a"]),
                         lambda v: native.outputs([0, 1], v),
                         lambda v: native.outputs([0], [v])):
                native.begin_round()
                try:
                    call(value)
                except Exception:
                    pass
                finally:
                    native.abort_round()
        with pytest.raises(TypeError):
            calls["add_batch"]([0])
        with rec.round() as r:  # still works
            with pytest.raises(tailq.InputError, match="3 outputs for 2 instances"):
                r.outputs([0, 1], LyingSequence())
            r.add_batch([0, 1], 0.001, 0.002)
            r.outputs([0, 1], [selfish, ("a", 7)])
    with tailq.Trace(tmp_path / "odd.trace") as trace:
        assert trace.predictions == ["[[...]]", "a 7"]


def test_messages_name_keywords_not_flags(generated_trace):
    """The library names the setting it refuses; Python gives its keyword, never a flag of the
    command line."""
    cases = [
        (lambda: tailq.analyze(generated_trace, time="wall"), "^time: "),
        (lambda: tailq.analyze(generated_trace, rounds="5:2"), "^rounds: "),
        (lambda: tailq.analyze(generated_trace, guarantee="99:95"), "write 99%:95%"),
        (lambda: tailq.predict(generated_trace, holdout=500), "^holdout: "),
        (lambda: tailq.converge(generated_trace, schedule="weekly"), "^schedule: "),
        (lambda: tailq.import_arrays(generated_trace, np.zeros((2, 3)), np.zeros((2, 3)),
                                     scores=[0.5] * 3), "^overwrite: .* exists"),
    ]
    for call, message in cases:
        with pytest.raises(tailq.InputError, match=message) as raised:
            call()
        assert "--" not in str(raised.value), str(raised.value)
