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

WANTED = 60  # measured rounds in the end
RECORDER = textwrap.dedent(f"""
    import os, sys, time
    import tailq
    path = sys.argv[1]
    if os.path.exists(path):
        rec = tailq.Recorder.resume(path, warmup_rounds=1, tau=0)
    else:
        rec = tailq.Recorder(path, labels=[str(i % 3) for i in range(20)], batch_size=4,
                             warmup_rounds=1, tau=0)
    while rec.measured_rounds < {WANTED}:
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
        process = subprocess.Popen([sys.executable, str(script), str(path)])
        time.sleep(rng.uniform(0.05, 0.4))
        if process.poll() is not None:
            break  # finished before this kill: every round is there already
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    done = subprocess.run([sys.executable, str(script), str(path)], timeout=300)
    assert done.returncode == 0
    assert kills >= 20, "the recorder finished too early to be tortured"

    with tailq.Trace(path) as trace:
        indices = list(trace.round_indices)
        assert indices == list(range(len(indices))), "every round exactly once, in order"
        warmup = np.asarray(trace.warmup)
        assert int((~warmup).sum()) == WANTED
        inference = trace.times("inference", rounds="all")
        total = trace.times("total", rounds="all")
        for row, index in enumerate(indices):
            want_inference, want_total = expected(index)
            np.testing.assert_array_equal(inference[row], want_inference)  # 5 declared batches
            np.testing.assert_array_equal(total[row], want_total)
    checked = run_cli("check", path, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not list(tmp_path.glob("*.partial*"))
