#!/usr/bin/python3
"""Command-line fuzz check: tailq run with many bad command lines, built from the options each
command's --help lists and values users get wrong. Every run must end in success (0) or one
"tailq: error:" line with exit 2: never "internal error", never a crash, and a refused command
leaves no file behind. Usage: cli_fuzz_test.py path/to/tailq [cases per command]"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

TAILQ = os.path.realpath(sys.argv[1])
CASES = int(sys.argv[2]) if len(sys.argv) > 2 else 20
RNG = random.Random(int(os.environ.get("TAILQ_FUZZ_SEED", "1")))


def tailq(args, cwd, timeout=20):
    return subprocess.run([TAILQ, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def options_of(command):
    """The long options that `tailq COMMAND --help` lists."""
    help_text = tailq([command, "--help"], cwd="/").stdout
    return sorted(set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)", help_text, re.M)))


def setup(inputs):
    os.makedirs(os.path.join(inputs, "adir"))
    trace = os.path.join(inputs, "t.trace")
    result = tailq(["generate", "--rounds", "12", "--instances", "20", "-o", trace], inputs)
    assert result.returncode == 0, result.stderr
    with open(os.path.join(inputs, "times.csv"), "w") as f:
        f.write("round,instance,inference,total\n")
        for r in range(3):
            for i in "ab":
                f.write(f"{r},{i},0.001,0.002\n")
    with open(os.path.join(inputs, "outcomes.csv"), "w") as f:
        f.write("instance,label,prediction\na,x,x\nb,y,x\n")
    return trace


def base_commands(inputs, trace):
    """A command line per command that works, into which bad options are mixed."""
    i = lambda name: os.path.join(inputs, name)  # noqa: E731
    return {
        "import": ["import", "--times", i("times.csv"), "--outcomes", i("outcomes.csv"),
                   "-o", "new.trace"],
        "analyze": ["analyze", trace],
        "generate": ["generate", "--rounds", "3", "--instances", "5", "-o", "new.trace"],
        "converge": ["converge", trace],
        "fit": ["fit", trace],
        "predict": ["predict", trace, "--holdout", "4", "--simulations", "20"],
        "report": ["report", trace, "-o", "new.html"],
        "compare": ["compare", trace, trace, "-o", "new.html"],
        "check": ["check", trace],
        "run": ["run", "--workload", "sleep", "--instances", "5", "--sleep-dist", "const:1us",
                "--max-rounds", "3", "--warmup-rounds", "1", "--quiet", "-o", "new.trace"],
    }


# Options a fuzzed value must not replace: they keep a run short.
FIXED = {"--workload", "--plugin", "--max-rounds", "--max-duration", "--resume", "--help",
         "--version", "--instances", "--sleep-dist", "--warmup-rounds", "--qps", "--qps-sweep",
         "--scenario", "--simulations"}


def bad_values(inputs):
    return ["", "-1", "0", "1e400", "99999999999999999999", "nan", "inf", "-inf", "5 ms", "5",
            "2%", "99:95", "99%:95%", "p200", "p99", "abc", ",", "-", "1:", ":5", "0.5", "1e-300",
            os.path.join(inputs, "adir"), os.path.join(inputs, "missing", "x.trace"),
            "/proc/x.trace", "/dev/null", os.path.join(inputs, "times.csv")]


def listing(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, files in os.walk(folder) for f in files)


def check_case(args, result, case_dir, inputs, inputs_before):
    problems = []
    err = result.stderr
    if "internal error" in err:
        problems.append("internal error")
    if result.returncode not in (0, 2) or re.search(r"Sanitizer|runtime error:", err):
        problems.append(f"exit code {result.returncode}")
    if result.returncode == 2 and args[0] != "check":
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].startswith("tailq: error: "):
            problems.append("not one 'tailq: error:' line")
    left = listing(case_dir)
    if result.returncode != 0 and left:
        problems.append(f"left {left}")
    if any(".partial" in f for f in left):
        problems.append(f"left {left}")
    if listing(inputs) != inputs_before:
        problems.append("changed the inputs' folder")
    return problems


def main():
    scratch = tempfile.mkdtemp(prefix="tailq-fuzz-")
    failures = runs = 0
    try:
        inputs = os.path.join(scratch, "inputs")
        case_dir = os.path.join(scratch, "case")
        os.makedirs(case_dir)
        trace = setup(inputs)
        inputs_before = listing(inputs)
        values = bad_values(inputs)
        for command, base in base_commands(inputs, trace).items():
            options = [o for o in options_of(command) if o not in FIXED]
            assert options, f"no options in tailq {command} --help"
            for _ in range(CASES):
                args = list(base)
                for option in RNG.sample(options, k=min(len(options), RNG.choice([1, 1, 2]))):
                    args += [option, RNG.choice(values)] if RNG.random() < 0.9 else [option]
                try:
                    result = tailq(args, case_dir)
                except subprocess.TimeoutExpired:
                    print("FAIL (over 20 s):", args)
                    failures += 1
                    continue
                runs += 1
                problems = check_case(args, result, case_dir, inputs, inputs_before)
                if problems:
                    failures += 1
                    print(f"FAIL {problems}: tailq {' '.join(repr(a) for a in args)}\n"
                          f"  stderr: {result.stderr.strip()[:500]}")
                shutil.rmtree(case_dir)
                os.makedirs(case_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{runs} command lines, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
