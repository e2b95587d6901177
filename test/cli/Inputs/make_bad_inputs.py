"""Writes a folder of inputs that forksafe cannot (fully) analyse, beside one it can.

usage: make_bad_inputs.py DIR
"""
import os
import sys

root = sys.argv[1]
os.makedirs(root)
# The control: a file with a finding that must still be reported.
HAZARD = 'import os, subprocess\nsubprocess.run(["true"], preexec_fn=os.setsid)\n'


def write(name, data):
    with open(os.path.join(root, name), "wb") as f:
        f.write(data)


write("good.py", HAZARD.encode())
write("empty.py", b"")
write("binary.py", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
write("nul.py", b"import os\nx = 1\x00\nos.fork()\n")
write("latin1_undeclared.py", "x = 'caf\u00e9'\n".encode("latin-1") + HAZARD.encode())
write("latin1_declared.py",
      b"# -*- coding: latin-1 -*-\n" + "x = 'caf\u00e9'\n".encode("latin-1") + HAZARD.encode())
write("bad_declared.py", b"# coding: no-such-codec\n" + HAZARD.encode())
write("bom.py", b"\xef\xbb\xbf" + HAZARD.encode())
# 15 MB of ordinary code, the hazard at the very end: the whole file is analysed.
line = b"value = compute(1, 2, 3) + other_value * 4  # padding padding padding padding\n"
write("huge.py", line * (15 * 1024 * 1024 // len(line)) + HAZARD.encode())
# 20,000 nested parentheses: no stack overflow, and the rest of the file still analysed.
depth = 20000
write("deep.py", HAZARD.encode() + b"x = " + b"(" * depth + b"1" + b")" * depth + b"\n")
write("unreadable.py", HAZARD.encode())
os.chmod(os.path.join(root, "unreadable.py"), 0)
os.mkdir(os.path.join(root, "locked"))
write("locked/inside.py", HAZARD.encode())
os.chmod(os.path.join(root, "locked"), 0)
os.symlink("loop", os.path.join(root, "loop"))          # a link to itself
os.symlink("self.py", os.path.join(root, "self.py"))    # the same, as a .py name
os.symlink(".", os.path.join(root, "cycle"))            # a folder that contains itself
write("vanish.py", HAZARD.encode())                     # removed between walk and analysis
os.chmod(root, 0o777)
