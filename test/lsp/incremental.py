# Incremental sync: several range changes in one didChange, each relative to the text the one
# before it left; UTF-16 positions across a surrogate pair (the emoji is 2 units, 4 bytes); a
# change past the end of a line is clamped to it. The diagnostics follow the edited text.
# RUN: %python %s %forksafe | FileCheck %s
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, rng, short

s = Server(sys.argv[1])
caps = s.initialize()["result"]["capabilities"]
print("sync", caps["textDocumentSync"]["change"])
# CHECK: sync 2
uri = "file:///proj/inc.py"
s.open(uri, "import multiprocessing as mp\ns = '\U0001F600'; mp.set_start_method('spawn')\n")
print(short(s.diagnostics(uri, quiet=True)))
# CHECK-NEXT: ['1:10-1:38 forksafe-start-method-at-import']
# 'spawn' (UTF-16 characters 31-36 on line 1, after the emoji's two units) becomes 'fork'; then a line is added above.
s.change(uri, 2, {"range": rng(1, 31, 1, 36), "text": "fork"},
         {"range": rng(0, 0, 0, 0), "text": "import os\n"})
print(short(s.diagnostics(uri, 2, quiet=True)))
# CHECK-NEXT: ['2:10-2:37 forksafe-start-method-at-import', '2:30-2:36 forksafe-hardcoded-fork-context']
# A range whose end character is past the end of its line ends at the line's end.
s.change(uri, 3, {"range": rng(2, 0, 2, 999), "text": "pass"})
print(short(s.diagnostics(uri, 3, quiet=True)))
# CHECK-NEXT: []
s.shutdown()
# CHECK: exit status 0
