"""Analysis parity: the Python results equal the CLI's --json output on the same trace."""

import json
import numpy as np
import pytest

import tailq


def assert_same_with_arrays(result, cli):
    """analyze(arrays=True) equals the CLI's JSON, per-round lists as numpy arrays."""
    for ours, theirs in zip(result["thresholds"], cli["thresholds"]):
        for key in ("per_round", "per_round_late_fraction"):
            assert isinstance(ours[key], np.ndarray) and ours[key].dtype == np.float64
            assert np.array_equal(ours[key], np.array(theirs[key]))
            ours[key] = ours[key].tolist()
    assert result == cli


@pytest.mark.parametrize("args, options", [
    ([], {}),
    (["--time", "inference", "--thresholds", "p50,p99.9,2ms,0.004s", "--sweep", "7"],
     {"time": "inference", "thresholds": ["p50", "p99.9", "2ms", 0.004], "sweep": 7}),
    (["--sweep", "5", "--sweep-trim-outliers", "--metric", "f1-macro", "--rounds", "10:30",
      "--threads", "1"],
     {"sweep": 5, "sweep_trim_outliers": True, "metric": "f1-macro", "rounds": (10, 30),
      "threads": 1}),
    (["--thresholds", "p90,p99", "--guarantee", "90%:80%"],
     {"thresholds": "p90,p99", "guarantee": "90%:80%"}),
])
def test_analyze_matches_cli(generated_trace, run_cli, args, options):
    cli = run_cli("analyze", generated_trace, "--json", *args)
    assert tailq.analyze(generated_trace, arrays=False, **options) == cli
    with tailq.Trace(generated_trace) as trace:
        assert_same_with_arrays(trace.analyze(**options), cli)


def test_guarantee_is_in_the_result_and_bad_ones_raise(generated_trace):
    result = tailq.analyze(generated_trace, thresholds="p99", guarantee="90%:80%", arrays=False)
    guarantee = result["guarantee"]
    assert guarantee["rounds"] == result["rounds"] and guarantee["rounds_needed"] == 16
    [deadline] = guarantee["deadlines"]
    assert deadline["label"] == "p99" and deadline["confidence"] >= 0.8
    assert deadline["bound"] in result["thresholds"][0]["per_round"]
    with pytest.raises(tailq.InputError, match="^guarantee: expected COVERAGE:CONFIDENCE"):
        tailq.analyze(generated_trace, guarantee="95%")


def test_precision_intervals_match_cli_and_bad_goals_raise(generated_trace, run_cli):
    cli = run_cli("analyze", generated_trace, "--json", "--thresholds", "p99,5ms",
                  "--confidence", "90%", "--bad-round", "10", "--epsilon", "2")
    ours = tailq.analyze(generated_trace, thresholds="p99,5ms", confidence=0.9, bad_round=0.1,
                         epsilon=0.02, arrays=False)
    assert ours == cli
    precision = ours["precision"]
    assert precision["confidence"] == 0.9 and precision["bad_round"] == 0.1
    [p99, fixed] = precision["deadlines"]
    assert p99["label"] == "p99" and "p10" in p99
    assert p99["mean"]["low"] <= p99["mean"]["value"] <= p99["mean"]["high"]
    assert p99["seconds_interval"]["low"] <= p99["seconds"] <= p99["seconds_interval"]["high"]
    assert fixed["seconds_interval"]["low"] == fixed["seconds_interval"]["high"]
    replay = run_cli("converge", generated_trace, "--stop", "precision", "--epsilon", "3",
                     "--thresholds", "p90", "--json")
    assert tailq.converge(generated_trace, stop="precision", epsilon=0.03,
                          thresholds="p90") == replay
    assert replay["stop"] == "precision" and replay["rounds"] == 50
    for bad, match in [({"confidence": 1.5}, "confidence"), ({"bad_round": 0}, "bad round"),
                       ({"epsilon": -1}, "epsilon")]:
        with pytest.raises(tailq.InputError, match=match):
            tailq.analyze(generated_trace, **bad)
    with pytest.raises(tailq.InputError, match="^stop: expected 'precision' or 'rjsd'"):
        tailq.converge(generated_trace, stop="soon")


def test_per_round_arrays_outlive_the_trace(generated_trace):
    with tailq.Trace(generated_trace) as trace:
        result = trace.analyze()
        bases = trace.batch_of_instance
    del trace
    assert result["thresholds"][0]["per_round"].shape == (50,)
    assert result["thresholds"][0]["per_round"].base is not None  # a view, not a copy
    assert bases.shape == (400,) and bases.max() == 99


def test_fit_converge_predict_compare_match_cli(generated_trace, run_cli):
    # One CLI call per command (each costs a process start), options differing from the defaults.
    trace = str(generated_trace)
    assert tailq.fit(trace, time="inference", slowest=3) == run_cli(
        "fit", trace, "--json", "--time", "inference", "--slowest", "3")
    assert tailq.converge(trace, fit_every=1, window=3, tau=0.05, schedule="paper",
                          instances=4) == run_cli(
        "converge", trace, "--json", "--fit-every", "1", "--window", "3", "--tau", "0.05",
        "--schedule", "paper", "--instances", "4")
    assert tailq.predict(trace, holdout=10, simulations=20, seed=3, thresholds="p90,3ms",
                         time="inference") == run_cli(
        "predict", trace, "--json", "--holdout", "10", "--simulations", "20", "--seed", "3",
        "--thresholds", "p90,3ms", "--time", "inference")
    assert tailq.compare([trace, trace], sweep=10, thresholds="p50,2ms") == run_cli(
        "compare", trace, trace, "--json", "--sweep", "10", "--thresholds", "p50,2ms")


def test_compare_of_load_traces_matches_cli(tmp_path, run_cli):
    path = tmp_path / "load.trace"
    run_cli("run", "--workload", "sleep", "--instances", 20, "--sleep-dist", "const:1ms",
            "--scenario", "server", "--qps-sweep", "200:400:200", "--max-rounds", 2,
            "--warmup-rounds", 0, "--tau", 0, "--quiet", "-o", path)
    ours = tailq.compare([path, path], thresholds="p99,20ms", max_drop=5)
    assert ours == run_cli("compare", path, path, "--json", "--thresholds", "p99,20ms",
                           "--max-drop", 5)
    assert ours["kind"] == "load" and ours["max_drop"] == 0.05
    assert [l["offered_qps"] for l in ours["traces"][0]["levels"]] == [200, 400]
    with pytest.raises(tailq.InputError, match="max_drop"):
        tailq.compare([path, path], max_drop=-1)


def test_defaults_are_the_clis(generated_trace):
    with tailq.Trace(generated_trace) as trace:
        labels = [t["label"] for t in trace.analyze()["thresholds"]]
        assert labels == ["p90", "p95", "p99", "p99.9"]
        converge = trace.converge()
        assert (converge["fit_every"], converge["window"], converge["tau"]) == (2, 5, 0.02)
        predicted = trace.predict(holdout=10, simulations=5)
        assert [t["label"] for t in predicted["thresholds"]] == ["p90", "p95", "p99"]
        assert [m["model"] for m in predicted["models"]] in (
            ["independent", "round-effect"], ["round-effect", "independent"])


def test_times_match_what_the_engine_analyses(generated_trace):
    with tailq.Trace(generated_trace) as trace:
        times = trace.times()
        assert times.shape == (50, 100) and times.flags.c_contiguous and times.flags.owndata is False
        assert list(trace.measured_round_indices) == list(range(2, 52))
        latency = trace.analyze(thresholds="p99")["latency"]
        assert latency["min"] == times.min() and latency["max"] == times.max()
        assert latency["count"] == times.size
        assert np.array_equal(trace.times(rounds=[0, 1]), trace.times(rounds="all")[:2])
        # "A:B" counts measured rounds from 0, as --rounds does; a list names stored indices.
        assert np.array_equal(trace.times(rounds="10:12"), times[10:12])
        assert np.array_equal(trace.times(rounds=[12, 13]), times[10:12])
        assert trace.analyze(thresholds="p99", rounds="0:5")["rounds"] == 5


def test_import_arrays_round_trip(tmp_path, run_cli):
    rng = np.random.default_rng(3)
    inference = rng.lognormal(np.log(2e-3), 0.2, size=(12, 30))
    total = inference * 1.5
    labels = [str(i % 4) for i in range(30)]
    predictions = [str((i + (i % 5 == 0)) % 4) for i in range(30)]
    path = tmp_path / "imported.trace"
    tailq.import_arrays(path, inference, total, labels=labels, predictions=predictions,
                        warmup_rounds=[0], model="numpy")
    with tailq.Trace(path) as trace:
        assert np.array_equal(trace.times("inference"), inference[1:])
        assert np.array_equal(trace.times("total", rounds="all"), total)
        assert trace.experiment["model"] == "numpy"
    cli = run_cli("analyze", path, "--json")
    assert cli["rounds"] == 11 and cli["nominal_quality"] == pytest.approx(24 / 30)
    assert tailq.analyze(path, arrays=False) == cli

    batched = tmp_path / "batched.trace"
    tailq.import_arrays(batched, inference[:, :3], total[:, :3], scores=[0.5] * 6,
                        batches=[0, 0, 1, 1, 2, 2], round_indices=range(10, 22))
    with tailq.Trace(batched) as trace:
        assert trace.batch_count == 3 and list(trace.round_indices) == list(range(10, 22))
        assert np.array_equal(trace.times("inference", per_instance=True)[:, ::2],
                              inference[:, :3])


def test_latency_only_trace_has_outcome_kind_none(tmp_path, run_cli):
    times = tmp_path / "times.csv"
    times.write_text("round,instance,inference,total\n" +
                     "".join(f"{r},{i},0.001,{0.002 + 0.001 * i}\n" for r in range(4) for i in range(3)))
    path = tmp_path / "lat.trace"
    run_cli("import", "--times", times, "--warmup-rounds", "0", "-o", path)
    trace = tailq.Trace(path)
    assert trace.outcome_kind == "none"
    result = trace.analyze(thresholds="3ms")
    assert result["thresholds"][0]["late_fraction"]["mean"] == pytest.approx(1 / 3)


def test_detection_trace_scores_coco_ap_like_the_cli(tmp_path, run_cli):
    # Two images: image 1's box is found, image 2's is missed; the third detection is a false
    # positive. The late image changes AP, which the Python module must compute as the CLI does.
    truth = {"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 5}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 5, "bbox": [0, 0, 40, 40],
                              "area": 1600},
                             {"id": 2, "image_id": 2, "category_id": 5, "bbox": [10, 10, 50, 50],
                              "area": 2500}]}
    results = [{"image_id": 1, "category_id": 5, "bbox": [0, 0, 40, 40], "score": 0.9},
               {"image_id": 2, "category_id": 5, "bbox": [10, 10, 50, 50], "score": 0.8},
               {"image_id": 2, "category_id": 5, "bbox": [200, 200, 5, 5], "score": 0.95}]
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    (tmp_path / "results.json").write_text(json.dumps(results))
    times = tmp_path / "times.csv"
    times.write_text("round,instance,inference,total\n" + "".join(
        f"{r},{i},0.001,{0.002 if i == 1 or r % 2 else 0.004}\n" for r in range(6) for i in (1, 2)))
    path = tmp_path / "det.trace"
    run_cli("import", "--times", times, "--coco-annotations", tmp_path / "truth.json",
            "--coco-detections", tmp_path / "results.json", "-o", path)
    with tailq.Trace(path) as trace:
        assert trace.outcome_kind == "detection"
        assert list(trace.instance_names) == ["1", "2"]
    for metric in ("ap", "ap50"):
        cli = run_cli("analyze", path, "--json", "--metric", metric, "--thresholds", "3ms")
        assert tailq.analyze(path, arrays=False, metric=metric, thresholds="3ms") == cli
        per_round = cli["thresholds"][0]["per_round"]
        # Both images on time in odd rounds; image 2 late (its truth missed) in even rounds.
        assert per_round[1] == pytest.approx(cli["nominal_quality"])
        assert per_round[0] < per_round[1]
