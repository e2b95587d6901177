"""Validates a SARIF log with the SARIF multitool (test/sarif, installed by scripts/setup.sh) and
prints every problem it reports, then their count. A missing multitool is a failure.

usage: validate_sarif.py MULTITOOL_DIR LOG.sarif
"""
import json
import os
import subprocess
import sys
import tempfile

tool_dir, log = sys.argv[1], sys.argv[2]
tool = os.path.join(tool_dir, "node_modules", ".bin", "sarif-multitool")
if not os.path.exists(tool):
    sys.exit("the SARIF multitool is not installed: run 'npm ci' in %s (scripts/setup.sh does)" % tool_dir)
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "validation.sarif")
    proc = subprocess.run([tool, "validate", log, "--output", out], capture_output=True, text=True)
    if not os.path.exists(out):
        sys.exit("the multitool wrote no result (exit %d):\n%s%s" % (proc.returncode, proc.stdout, proc.stderr))
    results = json.load(open(out))["runs"][0].get("results", [])
problems = 0
for r in results:
    level = r.get("level", "warning")
    if level in ("error", "warning"):
        problems += 1
    print("%s %s: %s" % (level, r.get("ruleId"), r["message"].get("text", r["message"].get("id"))))
print("multitool: %d errors and warnings" % problems)
