"""Crash safety: a Python process killed with SIGKILL in the middle of a round leaves a trace
that holds exactly the committed rounds, as `tailq run` does."""

import select
import signal
import subprocess
import sys
import textwrap

import numpy as np

import tailq

RECORDER = textwrap.dedent("""
    import sys, time
    import tailq
    path, committed = sys.argv[1], int(sys.argv[2])
    rec = tailq.Recorder(path, labels=[str(i % 3) for i in range(20)], batch_size=4,
                         warmup_rounds=1)
    for k in range(committed + 1):
        with rec.round() as r:
            for first in range(0, 20, 4):
                ids = range(first, first + 4)
                if k == committed and first == 8:
                    print("mid-round", flush=True)
                    time.sleep(60)  # killed here, two batches into the round
                r.add_batch(ids, 0.001 * (k + 1), 0.002 * (k + 1))
            r.outputs(range(20), [str(i % 3) for i in range(20)])
""")


def test_sigkill_mid_round_keeps_exactly_the_committed_rounds(tmp_path, run_cli):
    path = tmp_path / "killed.trace"
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    process = subprocess.Popen([sys.executable, str(script), str(path), "4"],
                               stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 120)
        assert ready and process.stdout.readline().strip() == "mid-round"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    with tailq.Trace(path) as trace:
        assert list(trace.round_indices) == [0, 1, 2, 3]
        assert list(trace.warmup) == [True, False, False, False]
        np.testing.assert_array_equal(trace.times("inference", rounds="all")[:, 0],
                                      [0.001, 0.002, 0.003, 0.004])
        assert trace.predictions == [str(i % 3) for i in range(20)]
    result = run_cli("analyze", path, "--json")
    assert result["rounds"] == 3 and result["nominal_quality"] == 1.0

    # The trace continues where it stopped.
    with tailq.Recorder.resume(path, warmup_rounds=0) as rec:
        assert rec.measured_rounds == 3
        with rec.round() as r:
            for first in range(0, 20, 4):
                r.add_batch(range(first, first + 4), 0.005, 0.01)
    assert run_cli("analyze", path, "--json")["rounds"] == 4
    assert not (tmp_path / "killed.trace-wal").exists()


def test_a_recorder_killed_before_any_round_leaves_a_valid_empty_trace(tmp_path):
    # The trace is created under a temporary name and renamed into place whole.
    path = tmp_path / "never.trace"
    script = tmp_path / "create.py"
    script.write_text("import os, sys, tailq\n"
                      "rec = tailq.Recorder(sys.argv[1], instances=5)\n"
                      "os.kill(os.getpid(), 9)\n")
    subprocess.run([sys.executable, str(script), str(path)])
    with tailq.Trace(path) as trace:
        assert len(trace.round_indices) == 0 and trace.instance_names == list("01234")
    assert not list(tmp_path.glob("*.partial*"))
