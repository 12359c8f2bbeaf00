"""Crash torture of the Python recorder: 50 SIGKILLs at random moments, a resume after each;
the final trace holds every committed round exactly once, with exactly the times that were
recorded (each round's times are a known function of its index), and `tailq check` is clean."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import tailq

FINAL_ROUNDS = 10  # measured rounds the last, unkilled run adds
# A tortured run records until it is killed, so every kill lands in a live recorder however fast
# the machine; the final run records FINAL_ROUNDS more and closes.
RECORDER = textwrap.dedent("""
    import os, sys, time
    import tailq
    path, more = sys.argv[1], int(sys.argv[2])
    if os.path.exists(path):
        rec = tailq.Recorder.resume(path, warmup_rounds=1, tau=0)
    else:
        rec = tailq.Recorder(path, labels=[str(i % 3) for i in range(20)], batch_size=4,
                             warmup_rounds=1, tau=0)
    target = rec.measured_rounds + more if more > 0 else float("inf")
    while rec.measured_rounds < target:
        with rec.round() as r:
            for b, first in enumerate(range(0, 20, 4)):
                time.sleep(0.001)  # a kill may land mid-round
                r.add_batch(range(first, first + 4), 1e-3 + r.index * 1e-6 + b * 1e-8,
                            2e-3 + r.index * 1e-6 + b * 1e-8)
            r.outputs(range(20), [str(i % 3) for i in range(20)])
    rec.close()
""")


def expected(index):
    b = np.arange(5)
    return 1e-3 + index * 1e-6 + b * 1e-8, 2e-3 + index * 1e-6 + b * 1e-8


def test_fifty_kills_lose_nothing_and_duplicate_nothing(tmp_path, run_cli):
    path = tmp_path / "tortured.trace"
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    rng = random.Random(20261129)
    kills = 0
    while kills < 50:
        process = subprocess.Popen([sys.executable, str(script), str(path), "0"])
        time.sleep(rng.uniform(0.05, 0.4))
        assert process.poll() is None, "a tortured recorder must only end by the kill"
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    before = 0
    if path.exists():
        with tailq.Trace(path) as trace:
            before = int((~np.asarray(trace.warmup)).sum())
    done = subprocess.run([sys.executable, str(script), str(path), str(FINAL_ROUNDS)],
                          timeout=300)
    assert done.returncode == 0

    with tailq.Trace(path) as trace:
        indices = list(trace.round_indices)
        assert indices == list(range(len(indices))), "every round exactly once, in order"
        warmup = np.asarray(trace.warmup)
        assert int((~warmup).sum()) == before + FINAL_ROUNDS
        assert before > 0, "the kills must land after some rounds were committed"
        inference = trace.times("inference", rounds="all")
        total = trace.times("total", rounds="all")
        for row, index in enumerate(indices):
            want_inference, want_total = expected(index)
            np.testing.assert_array_equal(inference[row], want_inference)  # 5 declared batches
            np.testing.assert_array_equal(total[row], want_total)
    checked = run_cli("check", path, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not list(tmp_path.glob("*.partial*"))
