"""Runs forksafe over this machine's standard library and site-packages with and without the
pre-filter (--no-prefilter parses every file and runs every rule on it) and fails unless both
report the same findings. Syntax errors are reported only for files the filter passes (spec.md),
so those of the filtered run must be a subset of the unfiltered run's.

usage: check_prefilter.py FORKSAFE
"""
import json
import subprocess
import sys
import sysconfig

paths = sysconfig.get_paths()
roots = [paths["stdlib"]] + ([paths["purelib"]] if paths["purelib"] != paths["stdlib"] else [])


def findings(extra):
    proc = subprocess.run([sys.argv[1], "--format=json", "--exit-zero", "--no-cache"] + extra + roots,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 2):
        sys.exit("forksafe exited %d\n%s" % (proc.returncode, proc.stderr[-2000:]))
    out = set()
    for d in json.loads(proc.stdout)["diagnostics"]:
        notes = tuple((n["file"], n["line"], n["column"], n["message"]) for n in d.get("notes", []))
        out.add((d["check"], d["file"], d["line"], d["column"], d["message"], notes))
    return out


filtered = findings([])
unfiltered = findings(["--no-prefilter"])
syntax = "forksafe-syntax-error"
lost = {f for f in unfiltered - filtered if f[0] != syntax}
extra = filtered - unfiltered
for f in sorted(lost):
    print("lost by the pre-filter: %s %s:%d:%d %s" % (f[0], f[1], f[2], f[3], f[4]))
for f in sorted(extra):
    print("only with the pre-filter: %s %s:%d:%d %s" % (f[0], f[1], f[2], f[3], f[4]))
rules = {f for f in filtered if f[0] != syntax}
print("findings: %s" % ("some" if rules else "none"))
print("%d lost, %d extra" % (len(lost), len(extra)))
sys.exit(1 if lost or extra else 0)
