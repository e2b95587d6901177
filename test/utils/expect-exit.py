#!/usr/bin/env python3
"""expect-exit.py N CMD [ARGS...]: run CMD, pass its output through, succeed only if it exits N."""
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: expect-exit.py N CMD [ARGS...]")
want = int(sys.argv[1])
got = subprocess.call(sys.argv[2:])
if got != want:
    sys.stderr.write("expect-exit: %r exited %d, expected %d\n" % (sys.argv[2:], got, want))
    sys.exit(1)
