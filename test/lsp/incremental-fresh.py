# The findings of a document edited change by change (incremental sync, the kept parse edited
# and re-parsed) are exactly those of a fresh analysis of the same text: after every step, the
# publication of the edited document is compared, whole (ranges, messages, notes), with that of
# the same text opened anew in a second server. The steps add and remove what changes findings:
# a thread start before a fork, a fork in a function nobody calls, a main guard, an import of a
# project module whose function forks, the start method, a join; and characters typed one at a
# time into a name, into a string, and across lines.
# RUN: rm -rf %t && mkdir -p %t/proj
# RUN: %python %s %forksafe %t/proj | FileCheck %s
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, rng

forksafe, root = sys.argv[1], sys.argv[2]
root_uri = "file://" + root
with open(os.path.join(root, "pyproject.toml"), "w") as f:
    f.write("[project]\nname = 'proj'\n")
with open(os.path.join(root, "helpers.py"), "w") as f:
    f.write("import os\n\ndef spawn_child():\n    return os.fork()\n\ndef quiet():\n    return 1\n")

text = """import os
import threading
import multiprocessing


def work():
    pass


def handler(x):
    value = x + 1
    return value


def run():
    t = threading.Thread(target=work)
    t.join()
    pid = os.fork()
    return pid


p = multiprocessing.Process(target=work)
p.start()
"""

uri = root_uri + "/main.py"
inc = Server(forksafe)
inc.initialize({}, rootUri=root_uri)
fresh = Server(forksafe)
fresh.initialize({}, rootUri=root_uri)
inc.open(uri, text)
version = 1


def position(offset):
    before = text[:offset]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)


def edit(old, new, occurrence=0):
    """Replaces the occurrence-th `old` of the text with `new`, as one ranged change."""
    global text, version
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(old, at + 1)
    (l1, c1), (l2, c2) = position(at), position(at + len(old))
    text = text[:at] + new + text[at + len(old):]
    version += 1
    inc.change(uri, version, {"range": rng(l1, c1, l2, c2), "text": new})


def insert(anchor, new):
    """Types `new` just after the first `anchor` (an empty range)."""
    global text, version
    at = text.index(anchor) + len(anchor)
    line, char = position(at)
    text = text[:at] + new + text[at:]
    version += 1
    inc.change(uri, version, {"range": rng(line, char, line, char), "text": new})


def compare(step):
    got = inc.diagnostics(uri, version, quiet=True)
    fresh.open(uri, text, version=version)
    want = fresh.diagnostics(uri, version, quiet=True)
    fresh.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    fresh.diagnostics(uri, quiet=True)  # the empty publication of the close
    codes = sorted("%d:%s" % (d["range"]["start"]["line"] + 1, d["code"]) for d in want)
    same = json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    print(step, "same" if same else "DIFFERENT", codes)
    if not same:
        print("  incremental:", json.dumps(got, sort_keys=True))
        print("  fresh:      ", json.dumps(want, sort_keys=True))


compare("open")
# CHECK: open same ['23:forksafe-unguarded-process-start']

# A thread left running before the fork: t.join() goes, one line at a time.
edit("    t.join()\n", "    t.start()\n")
compare("start instead of join")
# CHECK-NEXT: start instead of join same ['18:forksafe-fork-after-thread', '23:forksafe-unguarded-process-start']

# Typed one character at a time into the name the thread is held by: the join no longer matches.
edit("    t.start()\n", "    t.start()\n    t.join()\n")
compare("join again")
# CHECK-NEXT: join again same ['24:forksafe-unguarded-process-start']
edit("t.join()", "ta.join()")
compare("typing a")
edit("ta.join()", "tab.join()")
compare("typing b")
# CHECK-NEXT: typing a same ['19:forksafe-fork-after-thread', '24:forksafe-unguarded-process-start']
# CHECK-NEXT: typing b same ['19:forksafe-fork-after-thread', '24:forksafe-unguarded-process-start']
edit("tab.join()", "t.join()")
compare("name back")
# CHECK-NEXT: name back same ['24:forksafe-unguarded-process-start']

# A fork in a function nobody calls, after a thread started there: judged as entered from
# elsewhere. Then the fork goes again.
edit("    value = x + 1\n", "    value = x + 1\n    threading.Thread(target=work).start()\n    os.fork()\n")
compare("fork in handler")
# CHECK-NEXT: fork in handler same ['13:forksafe-fork-after-thread', '26:forksafe-unguarded-process-start']
edit("    os.fork()\n", "")
compare("no fork in handler")
# CHECK-NEXT: no fork in handler same ['25:forksafe-unguarded-process-start']

# Typing into a name inside the function, character by character (what the benchmark does).
for i in range(3):
    insert("    v", "x")
    compare("typing %d" % i)
# CHECK-NEXT: typing 0 same ['25:forksafe-unguarded-process-start']
# CHECK-NEXT: typing 1 same ['25:forksafe-unguarded-process-start']
# CHECK-NEXT: typing 2 same ['25:forksafe-unguarded-process-start']

# The main guard: the process start at the end no longer runs at import.
edit("p = multiprocessing.Process(target=work)\np.start()\n",
     "if __name__ == \"__main__\":\n    p = multiprocessing.Process(target=work)\n    p.start()\n")
compare("guarded")
# CHECK-NEXT: guarded same []

# An import of the project module, and a call of its forking function after a thread start.
edit("import multiprocessing\n", "import multiprocessing\nimport helpers\n")
edit("    return value\n", "    helpers.spawn_child()\n    return value\n")
compare("helper forks")
# CHECK-NEXT: helper forks same ['4:forksafe-fork-after-thread']

edit("helpers.spawn_child()", "helpers.quiet()")
compare("helper quiet")
# CHECK-NEXT: helper quiet same []

# The start method, typed into a string one character at a time: "spawn" becomes "fork".
edit("import helpers\n", "import helpers\nmultiprocessing.set_start_method(\"\")\n")
for word in ["f", "fo", "for", "fork"]:
    edit("set_start_method(\"%s\")" % word[:-1], "set_start_method(\"%s\")" % word)
    compare("method " + word)
# CHECK-NEXT: method f same ['5:forksafe-start-method-at-import']
# CHECK-NEXT: method fo same ['5:forksafe-start-method-at-import']
# CHECK-NEXT: method for same ['5:forksafe-start-method-at-import']
# CHECK-NEXT: method fork same ['5:forksafe-hardcoded-fork-context', '5:forksafe-start-method-at-import']

# Lines removed above everything: every position moves.
edit("import os\nimport threading\n", "import os, threading\n")
compare("lines joined")
# CHECK-NEXT: lines joined same ['4:forksafe-hardcoded-fork-context', '4:forksafe-start-method-at-import']

inc.shutdown()
fresh.shutdown()
# CHECK: exit status 0
# CHECK: exit status 0
