#!/usr/bin/env python3
"""The digits CNN in process vs behind `tailq serve` on loopback, over HTTP and over gRPC
(docs/serving.md).

1. Single-stream: Q@T of both traces side by side (`tailq compare`), and their time percentiles.
2. Server scenario at one offered load: the load generator's issue lateness (issued - scheduled)
   and its dispatch overhead, measured wait minus the wait of an instantaneous FIFO dispatcher
   replayed on the measured arrivals and service times (bench/queueing_vs_theory.py's replay),
   in process and with the remote backend over each protocol (whose service time includes the
   round trip).
3. A sweep of offered loads: the quality-preserving capacity of each (`tailq analyze`).
Usage: serve_vs_local.py path/to/tailq [--rounds N] [--qps Q] [--workers W] [--sweep A:B:S]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from queueing_vs_theory import replay


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def start_server(tailq, workers, log, protocol):
    server = subprocess.Popen([tailq, "serve", "--protocol", protocol, "--port", "0",
                               "--replicas", str(workers)], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    port = re.search(protocol + r"://127\.0\.0\.1:(\d+)", line)
    if not port:
        server.kill()
        sys.exit(f"tailq serve did not start: {line}")
    log.write(line)
    return server, f"{protocol}://127.0.0.1:{port.group(1)}"


def percentiles(tailq, trace, time):
    d = json.loads(run(tailq, "analyze", trace, "--time", time, "--json"))
    return [d["latency"]["p50"], d["latency"]["p99"]]


def load_level(tailq, trace, workers):
    level = json.loads(run(tailq, "analyze", trace, "--thresholds", "2ms,5ms", "--json"))[
        "levels"][0]
    ideal, overhead = replay(trace, workers)
    return level, ideal, overhead


def main():
    tailq = os.path.abspath(sys.argv[1])
    rounds = int(arg("--rounds", "100"))
    qps = arg("--qps", "500")
    workers = int(arg("--workers", "2"))
    sweep = arg("--sweep", "250:1500:250")
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        # One system at a time, each server alone on the machine while it is measured.
        common = ["--stop", "rjsd", "--tau", "0", "--quiet", "--max-rounds", str(rounds)]
        load = ["--scenario", "server", "--qps", qps, "--workers", str(workers),
                "--stop", "rjsd", "--tau", "0", "--quiet", "--max-rounds", str(max(2, rounds // 4))]
        names = []
        for protocol in (None, "http", "grpc"):
            server, extra, name = None, [], "local"
            if protocol:
                with open("serve.log", "a") as log:
                    server, url = start_server(tailq, workers, log, protocol)
                extra, name = ["--server", url, "--model-name", "digits"], protocol
            names.append(name)
            try:
                run(tailq, "run", *common, *extra, "-o", f"{name}.trace")
                run(tailq, "run", *load, *extra, "-o", f"{name}-load.trace")
                run(tailq, "run", "--scenario", "server", "--qps-sweep", sweep, "--workers",
                    str(workers), "--stop", "rjsd", "--tau", "0", "--quiet", "--max-rounds",
                    str(max(2, rounds // 10)), *extra, "-o", f"{name}-sweep.trace")
            finally:
                if server:
                    server.terminate()
                    server.wait()
        print("single-stream, digits, total and inference time p50 / p99:")
        for name in names:
            total = percentiles(tailq, f"{name}.trace", "total")
            infer = percentiles(tailq, f"{name}.trace", "inference")
            print(f"  {name:>6}: total {total[0] * 1e6:.1f} / {total[1] * 1e6:.1f} us, "
                  f"inference {infer[0] * 1e6:.1f} / {infer[1] * 1e6:.1f} us")
        print(run(tailq, "compare", *[f"{name}.trace" for name in names],
                  "--thresholds", "p50,p99,500us,1ms,2ms"))
        print(f"server scenario, {qps}/s, {workers} workers, {max(2, rounds // 4)} rounds:")
        for name in names:
            level, ideal, overhead = load_level(tailq, f"{name}-load.trace", workers)
            print(f"  {name:>6}: issue late p50 {level['issue_delay']['p50'] * 1e6:.1f} us, "
                  f"p99 {level['issue_delay']['p99'] * 1e6:.1f} us; extra latency over an "
                  f"ideal FIFO queue: mean {overhead.mean() * 1e6:.1f} us, "
                  f"p50 {np.percentile(overhead, 50) * 1e6:.1f} us, "
                  f"p99 {np.percentile(overhead, 99) * 1e6:.1f} us; service mean "
                  f"{level['service']['mean'] * 1e6:.1f} us; wait mean "
                  f"{level['queue_wait']['mean'] * 1e6:.1f} us")
        print(f"sweep {sweep}/s, {workers} workers:")
        for name in names:
            print(f"  {name}:")
            print(run(tailq, "analyze", f"{name}-sweep.trace", "--thresholds", "2ms,5ms"))


if __name__ == "__main__":
    main()
