"""Reads a forksafe JSON report and prints, sorted, the file name (last component) of each
finding and each error, after checking that the report is strict UTF-8 JSON.

usage: check_report.py REPORT.json
"""
import json
import os
import sys

raw = open(sys.argv[1], "rb").read()
report = json.loads(raw.decode("utf-8", errors="strict"))
def name(path):
    # ASCII on the way out (\uXXXX), so a U+FFFD that stands for a broken byte is visible.
    return json.dumps(os.path.basename(path))


for d in sorted(report["diagnostics"], key=lambda d: name(d["file"])):
    print("finding %s:%d %s" % (name(d["file"]), d["line"], d["check"]))
for e in sorted(report["errors"], key=lambda e: (name(e["file"]), e["message"])):
    print("error %s: %s" % (name(e["file"]), e["message"]))
