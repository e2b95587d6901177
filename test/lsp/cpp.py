# C/C++ documents: the clang-tidy checks run on open and save (off the main loop), notes come as
# related information, fix-its as code actions beside "suppress on this line" (NOLINT), and the
# project's configuration selects checks as on the command line.
# RUN: rm -rf %t && mkdir -p %t/proj
# RUN: %python %s %forksafe %t/proj | FileCheck %s
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, rng, short

forksafe, root = sys.argv[1], sys.argv[2]
src = os.path.join(root, "main.c")
code = ("#include <stdlib.h>\n#include <unistd.h>\n"
        "int main(void) {\n"
        "  pid_t pid = fork();\n"
        "  if (pid == 0) {\n"
        "    exit(1);\n"
        "  }\n"
        "  return 0;\n"
        "}\n")
with open(src, "w") as f:
    f.write(code)
with open(os.path.join(root, "compile_commands.json"), "w") as f:
    json.dump([{"directory": root, "file": src, "command": "cc -c main.c"}], f)

s = Server(forksafe)
s.initialize()
uri = "file://" + src
s.open(uri, code, language="c")
d = s.diagnostics(uri, quiet=True)
print(short(d))
# CHECK: ['5:4-5:11 forksafe-exit-in-child']
print([(r["message"], r["location"]["range"]["start"]["line"]) for r in d[0]["relatedInformation"]])
# CHECK-NEXT: [('child of this fork()', 3)]

rid = s.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng(5, 0, 5, 0),
                                             "context": {"diagnostics": []}})
for a in s.response(rid, quiet=True)["result"]:
    print(a["title"], a.get("isPreferred"), json.dumps(a["edit"]["changes"][uri], sort_keys=True))
# CHECK-NEXT: {{.*}}_exit{{.*}} True [{"newText": "_exit", "range": {"end": {"character": 8, "line": 5}, "start": {"character": 4, "line": 5}}}]
# CHECK-NEXT: Suppress forksafe-exit-in-child on this line None [{"newText": " // NOLINT(forksafe-exit-in-child)", "range": {"end": {"character": 12, "line": 5}, "start": {"character": 12, "line": 5}}}]

# Edited, not saved: the checks run over the unsaved buffer (an overlay on the file system).
s.change(uri, 2, {"range": rng(5, 4, 5, 8), "text": "_exit"})
print("unsaved", short(s.diagnostics(uri, 2, quiet=True)))
# CHECK-NEXT: unsaved []
s.change(uri, 3, {"range": rng(5, 4, 5, 9), "text": "exit"})
print("unsaved", short(s.diagnostics(uri, 3, quiet=True)))
# CHECK-NEXT: unsaved ['5:4-5:11 forksafe-exit-in-child']

# Saved with the fix: the file is analysed again and the finding is gone.
fixed = code.replace("exit(1)", "_exit(1)")
with open(src, "w") as f:
    f.write(fixed)
s.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": fixed})
print(short(s.diagnostics(uri, quiet=True)))
# CHECK-NEXT: []

# The configuration's checks apply: with exit-in-child off, the original text has no finding.
with open(os.path.join(root, ".forksafe.toml"), "w") as f:
    f.write("checks = ['-forksafe-exit-in-child']\n")
with open(src, "w") as f:
    f.write(code)
s.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": "file://" + root + "/.forksafe.toml", "type": 1}]})
s.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": code})
print(short(s.diagnostics(uri, quiet=True)))
# CHECK-NEXT: []
s.shutdown()
# CHECK: exit status 0
