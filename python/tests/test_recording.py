"""Recording round trip: what Python records is what tailq.Trace and the CLI read."""

import sqlite3
import time

import numpy as np
import pytest

import tailq

LABELS = ["3", "1", "4", "1", "5", "9", "2", "6"]


def record_known(path, rounds, batches=None, warmup_rounds=1, shuffle=False):
    """Records rounds whose times are known: instance i of round r gets (r + 1) ms plus i us
    of inference (total twice that), in batches of two (shuffled membership if asked)."""
    rng = np.random.default_rng(1)
    expected = []
    with tailq.Recorder(path, labels=LABELS, batches=batches, warmup_rounds=warmup_rounds,
                        model="m", dataset="d", backend="b") as rec:
        for r in range(rounds):
            order = rng.permutation(len(LABELS)) if shuffle else np.arange(len(LABELS))
            times = np.zeros(len(LABELS))
            with rec.round() as rnd:
                for first in range(0, len(order), 2):
                    ids = order[first:first + 2]
                    inference = (r + 1) * 1e-3 + int(ids.min()) * 1e-6
                    rnd.add_batch(ids, inference, 2 * inference)
                    times[ids] = inference
                rnd.outputs(range(len(LABELS)), [[label, "0"] for label in LABELS])
            expected.append(times)
    return np.array(expected)


def test_per_instance_layout_round_trip(tmp_path, run_cli):
    path = tmp_path / "r.trace"
    expected = record_known(path, rounds=6, shuffle=True)
    with tailq.Trace(path) as trace:
        assert trace.batch_count == len(LABELS)
        assert list(trace.warmup) == [True] + [False] * 5
        np.testing.assert_array_equal(trace.times("inference", rounds="all"), expected)
        np.testing.assert_array_equal(trace.times("total", rounds="all"), 2 * expected)
        np.testing.assert_array_equal(trace.times("inference"), expected[1:])
        assert trace.labels == LABELS
        assert trace.predictions == [f"{label} 0" for label in LABELS]
        assert trace.experiment["settings"]["batch_layout"] == "per_instance"
        assert (trace.experiment["model"], trace.experiment["backend"]) == ("m", "b")
    cli = run_cli("analyze", path, "--json", "--time", "inference", "--thresholds", "1s",
                  "--metric", "top2")
    assert cli["rounds"] == 5 and cli["instances"] == len(LABELS)
    assert cli["latency"]["min"] == expected[1:].min()
    assert cli["latency"]["max"] == expected[1:].max()
    assert cli["nominal_quality"] == 1.0
    assert cli["warnings"] == []


def test_fixed_layout_stores_one_time_per_batch(tmp_path, run_cli):
    path = tmp_path / "f.trace"
    batches = [0, 0, 1, 1, 2, 2, 3, 3]
    expected = record_known(path, rounds=4, batches=batches, warmup_rounds=0)
    with tailq.Trace(path) as trace:
        assert trace.batch_count == 4
        assert list(trace.batch_of_instance) == batches
        assert not trace.batch_of_instance.flags.writeable
        np.testing.assert_array_equal(trace.times("inference"), expected[:, ::2])
        np.testing.assert_array_equal(trace.times("inference", per_instance=True), expected)
    fit = run_cli("fit", path, "--json", "--time", "inference")
    assert fit["rounds"] == 4 and fit["pooled"]["count"] == 16


def test_bracketed_phases_are_timed_by_the_monotonic_clock(tmp_path):
    path = tmp_path / "b.trace"
    with tailq.Recorder(path, labels=["a", "b"], warmup_rounds=0) as rec:
        with rec.round() as r:
            with r.batch([0]) as b:
                time.sleep(0.002)
                b.pre()
                time.sleep(0.004)
                b.infer()
                time.sleep(0.002)
                b.post()
                time.sleep(0.05)  # after post(): not timed
            with r.batch(1) as b:
                with b.inference():
                    time.sleep(0.003)
    with tailq.Trace(path) as trace:
        inference, total = trace.times("inference")[0], trace.times("total")[0]
    assert inference[0] >= 0.004 and total[0] - inference[0] >= 0.004
    assert total[0] < 0.045  # the sleep after post() is not part of the batch
    assert 0.003 <= inference[1] <= total[1] < 0.045


def test_outputs_go_with_the_first_measured_round_and_changes_are_flagged(tmp_path, run_cli):
    path = tmp_path / "o.trace"
    with tailq.Recorder(path, labels=["1", "2", "3"], warmup_rounds=1) as rec:
        for answers in (["9", "9", "9"], ["1", "2", "0"], ["1", "0", "0"]):
            with rec.round() as r:
                with r.batch(range(3)) as b:
                    b.infer()
                b.outputs(np.array([int(a) for a in answers]))
    with tailq.Trace(path) as trace:
        assert trace.predictions == ["1", "2", "0"]  # warm-up outputs are not kept
    result = run_cli("analyze", path, "--json")
    assert result["nominal_quality"] == pytest.approx(2 / 3)
    assert "outputs changed between measured rounds" in result["warnings"][0]


def test_score_traces_and_resume(tmp_path, run_cli):
    path = tmp_path / "s.trace"
    with tailq.Recorder(path, instances=3, warmup_rounds=0) as rec:
        with rec.round() as r:
            r.add_batch([0, 1, 2], 0.001, 0.002)
            r.outputs([0, 1, 2], [0.5, 1.0, 0.0])
        assert rec.measured_rounds == 1
    with tailq.Recorder.resume(path, warmup_rounds=1) as rec:
        assert rec.measured_rounds == 1 and rec.next_round_warmup
        for _ in range(2):
            with rec.round() as r:
                r.add_batch([2, 0, 1], 0.001, 0.003)
        assert rec.measured_rounds == 2
    with tailq.Trace(path) as trace:
        assert list(trace.round_indices) == [0, 1, 2]
        assert list(trace.warmup) == [False, True, False]
        np.testing.assert_array_equal(trace.scores, [0.5, 1.0, 0.0])
    assert run_cli("analyze", path, "--json")["nominal_quality"] == 0.5


def test_trace_is_one_file_after_close_and_valid_while_open(tmp_path, run_cli):
    path = tmp_path / "w.trace"
    rec = tailq.Recorder(path, labels=["x", "y"], warmup_rounds=0)
    for _ in range(2):
        with rec.round() as r:
            r.add_batch([0, 1], 0.001, 0.001)
    # Readable while the recorder still holds it.
    assert run_cli("analyze", path, "--json")["rounds"] == 2
    rec.close()
    rec.close()
    assert not (tmp_path / "w.trace-wal").exists()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_run_measures_a_workload_like_the_command(tmp_path, run_cli):
    """tailq.run() takes the command's options by key and writes the same kind of trace."""
    keys = {o["key"] for o in tailq.run_options()}
    assert {"workload", "batch_size", "epsilon", "tau", "qps", "sleep_round_effect"} <= keys
    trace = tmp_path / "s.trace"
    result = tailq.run(trace, workload="sleep", sleep_instances=20,
                       sleep_distribution="const:100us", tau=0, max_rounds=7)
    assert result["stop"] == "max_rounds" and result["measured_rounds"] == 7
    assert result["settings"]["stop"] == "rjsd" and result["settings"]["sleep_instances"] == "20"
    assert tailq.analyze(trace)["rounds"] == 7
    more = tailq.run(resume=trace, tau=0, max_rounds=9)
    assert more["measured_rounds"] == 9 and tailq.analyze(trace)["rounds"] == 9
    cli = run_cli("analyze", trace, "--json")
    assert cli["rounds"] == 9 and cli["instances"] == 20
    with pytest.raises(tailq.InputError, match="^sleep_instances: '30' does not match"):
        tailq.run(resume=trace, sleep_instances=30)
    with pytest.raises(tailq.InputError, match="^ocr_lines: applies to the ocr workload"):
        tailq.run(tmp_path / "x.trace", workload="sleep", ocr_lines=5)
    with pytest.raises(tailq.InputError, match="^speed: not an option of tailq run"):
        tailq.run(tmp_path / "x.trace", speed=2)
    assert not (tmp_path / "x.trace").exists()
