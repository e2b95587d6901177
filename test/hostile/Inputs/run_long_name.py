"""run_long_name.py FORKSAFE: analyses standard input under a name of 20,000 components (the
configuration lookup walks all of it) and prints forksafe's exit code and output."""
import subprocess
import sys

name = "a/" * 20000 + "x.py"
src = b'import os, subprocess\nsubprocess.run(["true"], preexec_fn=os.setsid)\n'
p = subprocess.run([sys.argv[1], "--checks=-*,forksafe-preexec-fn", "--stdin-filename=" + name],
                   input=src, capture_output=True, timeout=600)
print("exit", p.returncode)
for line in p.stdout.decode().splitlines() + p.stderr.decode().splitlines():
    print(line.replace(name, "<long name>"))
