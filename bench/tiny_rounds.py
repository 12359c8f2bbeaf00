#!/usr/bin/python3
"""Tiny rounds against normal rounds: the same 10^6 times stored as 10^6 rounds x 1 instance
and as 1,000 rounds x 1,000 instances (issue 14, item 7: cost must grow with values, not
rounds).

    /usr/bin/python3 bench/tiny_rounds.py --tailq build/tailq [--repeats 3] [--keep DIR]

Makes both traces from the same values with `tailq import`, then times `tailq import`,
`analyze --json`, `fit --json` and `check --json` on each, every one the median of --repeats
runs of the whole process in this one script, and prints a table with peak resident memory and
the ratio tiny/normal (the goal is <= 3 for every command).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

GOAL = 3.0


def timed(cmd):
    """Wall time (s) and peak resident memory (MiB) of one run of cmd."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024


def median_run(cmd, repeats):
    runs = [timed(cmd) for _ in range(repeats)]
    return statistics.median(w for w, _ in runs), max(m for _, m in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tailq", default="build/tailq")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", help="make the files in this folder and keep them")
    args = ap.parse_args()
    tailq = os.path.abspath(args.tailq)
    work = args.keep or tempfile.mkdtemp(prefix="tiny_rounds_")
    os.makedirs(work, exist_ok=True)

    rng = np.random.default_rng(2)
    values = rng.lognormal(-7, 0.2, 1_000_000)  # the same values in both shapes
    shapes = {"normal": (1000, 1000), "tiny": (1_000_000, 1)}
    results = {}
    for name, (rounds, instances) in shapes.items():
        inf = os.path.join(work, f"{name}_inf.npy")
        tot = os.path.join(work, f"{name}_tot.npy")
        out = os.path.join(work, f"{name}_out.csv")
        trace = os.path.join(work, f"{name}.trace")
        times = values.reshape(rounds, instances)
        np.save(inf, times)
        np.save(tot, times * 1.1)
        with open(out, "w") as f:
            f.write("instance,score\n" + "".join(f"{i},1\n" for i in range(instances)))
        commands = {
            "import": [tailq, "import", "--inference-npy", inf, "--total-npy", tot,
                       "--outcomes", out, "-o", trace, "--force"],
            "analyze": [tailq, "analyze", trace, "--json"],
            "fit": [tailq, "fit", trace, "--json"],
            "check": [tailq, "check", trace, "--json"],
        }
        for command, cmd in commands.items():
            results[(name, command)] = median_run(cmd, args.repeats)

    print(f"{'command':<9} {'normal s':>9} {'tiny s':>9} {'ratio':>7}  {'tiny MiB':>9}  goal <= {GOAL:g}")
    worst = 0.0
    for command in ["import", "analyze", "fit", "check"]:
        normal, _ = results[("normal", command)]
        tiny, rss = results[("tiny", command)]
        ratio = tiny / normal
        worst = max(worst, ratio)
        print(f"{command:<9} {normal:9.3f} {tiny:9.3f} {ratio:7.1f}  {rss:9.0f}  "
              f"{'ok' if ratio <= GOAL else 'over'}")
    print(f"(medians of {args.repeats} runs; 1,000 x 1,000 vs 10^6 x 1; files in {work})")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
