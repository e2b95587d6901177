# Workspace behaviour: Python buffers are recognised by language id (an `untitled:` buffer) and
# by a `#!...python` first line (a script without .py); the configuration is reloaded when the
# client reports pyproject.toml changed (the server asks to watch it) and when it is saved in the
# editor; diagnostics link to the check's page given by --docs-url.
# RUN: rm -rf %t && mkdir -p %t/proj
# RUN: %python %s %forksafe %t/proj | FileCheck %s
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, short

forksafe, root = sys.argv[1], sys.argv[2]
root_uri = "file://" + root
with open(os.path.join(root, "pyproject.toml"), "w") as f:
    f.write("[tool.forksafe]\nchecks = ['-forksafe-preexec-fn']\n")

s = Server(forksafe, "--docs-url=https://example.invalid/checks/{id}.html")
s.initialize({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}, rootUri=root_uri)
m = s.receive(quiet=True)
print(m["method"], [w["globPattern"] for w in m["params"]["registrations"][0]["registerOptions"]["watchers"]])
# CHECK: client/registerCapability ['**/pyproject.toml', '**/.forksafe.toml', '**/compile_commands.json']

code = "import os, subprocess\nsubprocess.run(['true'], preexec_fn=os.setsid)\nos.fork()\n"
s.open("untitled:Untitled-1", code)
s.open(root_uri + "/tool", "#!/usr/bin/env python3\n" + code, language="plaintext")
s.open(root_uri + "/notes.txt", code, language="plaintext")
uris = ["untitled:Untitled-1", root_uri + "/tool", root_uri + "/notes.txt"]
got = s.collect(uris)
for uri in uris:
    print(uri.rsplit("/", 1)[-1], short(got[uri]))
# The configuration turns preexec-fn off for the workspace, the untitled buffer included.
# CHECK-NEXT: untitled:Untitled-1 []
# CHECK-NEXT: tool []
# CHECK-NEXT: notes.txt []

with open(os.path.join(root, "pyproject.toml"), "w") as f:
    f.write("[tool.forksafe]\nchecks = ['forksafe-*']\n")
s.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": root_uri + "/pyproject.toml", "type": 2}]})
got = s.collect(uris[:2])
for uri in uris[:2]:
    d = got[uri]
    print(uri.rsplit("/", 1)[-1], short(d), d[0]["codeDescription"]["href"])
# CHECK-NEXT: untitled:Untitled-1 ['1:36-1:45 forksafe-preexec-fn'] https://example.invalid/checks/forksafe-preexec-fn.html
# CHECK-NEXT: tool ['2:36-2:45 forksafe-preexec-fn'] https://example.invalid/checks/forksafe-preexec-fn.html

# Saving the configuration in the editor reloads it too.
cfg_uri = root_uri + "/pyproject.toml"
s.open(cfg_uri, "", language="toml")
with open(os.path.join(root, "pyproject.toml"), "w") as f:
    f.write("[tool.forksafe]\nchecks = ['-forksafe-preexec-fn']\n")
s.notify("textDocument/didSave", {"textDocument": {"uri": cfg_uri}})
got = s.collect(uris[:2])
for uri in uris[:2]:
    print(uri.rsplit("/", 1)[-1], short(got[uri]))
# CHECK-NEXT: untitled:Untitled-1 []
# CHECK-NEXT: tool []
s.shutdown()
# CHECK: exit status 0
