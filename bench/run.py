#!/usr/bin/env python3
"""The forksafe speed benchmark: analyses a corpus (default: this machine's Python standard
library and site-packages) several times and reports the best wall time and files per second.

usage: bench/run.py [--forksafe build/bin/forksafe] [--runs 5] [-j N] [PATH...]

Speed is measured here, never by a timed test. Compare two builds on the same machine and corpus;
`valgrind --tool=callgrind build/bin/forksafe -j 1 PATH` gives instruction counts that do not
depend on machine load.
"""
import argparse
import json
import os
import subprocess
import sys
import sysconfig
import time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--forksafe", default=os.path.join(here, "..", "build", "bin", "forksafe"))
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("-j", dest="jobs", type=int, default=0)
parser.add_argument("paths", nargs="*")
args = parser.parse_args()
paths = args.paths or [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]]

cmd = [args.forksafe, "--format=json", "--exit-zero"] + (["-j", str(args.jobs)] if args.jobs else []) + paths
times = []
report = None
for _ in range(args.runs):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    times.append(time.perf_counter() - start)
    if proc.returncode not in (0, 2):
        sys.exit("forksafe exited %d:\n%s" % (proc.returncode, proc.stderr.decode(errors="replace")))
    report = json.loads(proc.stdout)
summary = proc.stderr.decode(errors="replace").strip().splitlines()[-1]
best = min(times)
files = int(summary.split(" in ")[1].split()[0]) if " in " in summary else 0
print("corpus: %s" % " ".join(paths))
print("summary: %s" % summary)
print("findings: %d, errors: %d" % (len(report["diagnostics"]), len(report["errors"])))
print("best of %d: %.3f s (median %.3f s), %.0f files/s" % (
    args.runs, best, sorted(times)[len(times) // 2], files / best if best else 0))
