"""Runs forksafe over this machine's Python standard library and site-packages: it must finish
without crashing, and every input error must be one of the files CPython ships deliberately
broken (undecodable test data), so a new error anywhere else fails.

usage: check_stdlib.py FORKSAFE
"""
import json
import re
import subprocess
import sys
import sysconfig

paths = sysconfig.get_paths()
roots = [paths["stdlib"]] + ([paths["purelib"]] if paths["purelib"] != paths["stdlib"] else [])
proc = subprocess.run([sys.argv[1], "--format=json", "--checks=-*,forksafe-*", "--exit-zero"] + roots,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
if proc.returncode not in (0, 2):
    sys.exit("forksafe exited %d\n%s" % (proc.returncode, proc.stderr[-2000:]))
report = json.loads(proc.stdout)
# CPython's own undecodable test inputs (Python refuses them too).
expected = re.compile(r"/test/(tokenizedata/)?(bad_coding\d*|badsyntax_pep3120)\.py$")
unexpected = [e for e in report["errors"] if not expected.search(e["file"]) and not e["file"].endswith(
    (".c", ".cc", ".cpp", ".cxx", ".h"))]
for e in unexpected:
    print("unexpected error: %s: %s" % (e["file"], e["message"]))
files = int(proc.stderr.strip().splitlines()[-1].split(" in ")[1].split()[0])
print("analysed %s files" % ("over 1000" if files > 1000 else files))
print("%d unexpected errors" % len(unexpected))
sys.exit(1 if unexpected else 0)
