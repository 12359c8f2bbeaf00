"""The convergence flag: false early, true once a stable stream has converged, and the same
rJSD series as `tailq converge` replaying the recorded trace."""

import numpy as np

import tailq


def stable_round(rng, count):
    return rng.lognormal(np.log(1e-3), 0.1, size=count)


def test_converged_flag_follows_the_rjsd_criterion(tmp_path, run_cli):
    path = tmp_path / "c.trace"
    rng = np.random.default_rng(5)
    settings = dict(tau=0.05, fit_every=2, window=3)
    flags = []
    with tailq.Recorder(path, instances=200, warmup_rounds=1, **settings) as rec:
        assert not rec.converged and rec.rjsd == {"inference": None, "total": None}
        while not rec.converged and rec.measured_rounds < 60:
            times = stable_round(rng, 200)
            with rec.round() as r:
                for i in range(200):
                    r.add_batch(i, times[i], 2 * times[i])
            flags.append(rec.converged)
        history = rec.rjsd_history()
        measured = rec.measured_rounds
    # rJSD needs `window` earlier fits: no verdict before fit_every * (window + 1) rounds.
    assert not any(flags[:1 + 2 * 3])
    assert flags[-1] and measured < 60
    assert history["inference"][-1] <= 0.05 and history["total"][-1] <= 0.05

    replay = run_cli("converge", path, "--json", "--tau", "0.05", "--fit-every", "2",
                     "--window", "3")
    assert replay["converged_at_round"] == measured
    assert [p["round"] for p in replay["rjsd"]] == history["round"].tolist()
    assert [p["inference"] for p in replay["rjsd"]] == history["inference"].tolist()
    assert [p["total"] for p in replay["rjsd"]] == history["total"].tolist()


def test_a_drifting_stream_does_not_converge(tmp_path):
    rng = np.random.default_rng(6)
    with tailq.Recorder(tmp_path / "d.trace", instances=100, warmup_rounds=0, tau=0.01,
                        fit_every=1, window=2) as rec:
        for k in range(12):
            times = stable_round(rng, 100) * (1 + 0.5 * k)  # slower every round
            with rec.round() as r:
                for i in range(100):
                    r.add_batch([i], times[i], times[i])
        assert rec.rjsd["total"] is not None and rec.rjsd["total"] > 0.01
        assert not rec.converged


def test_resume_rebuilds_the_convergence_state(tmp_path):
    path = tmp_path / "r.trace"
    rng = np.random.default_rng(8)
    with tailq.Recorder(path, instances=50, warmup_rounds=0, fit_every=1, window=2) as rec:
        for _ in range(4):
            times = stable_round(rng, 50)
            with rec.round() as r:
                for i in range(50):
                    r.add_batch(i, times[i], times[i])
        before = rec.rjsd_history()
    with tailq.Recorder.resume(path, warmup_rounds=0, fit_every=1, window=2) as rec:
        after = rec.rjsd_history()
    assert np.array_equal(before["total"], after["total"])
    assert np.array_equal(before["round"], after["round"])
