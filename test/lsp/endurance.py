# Endurance: 10,000 incremental edits (UTF-16 positions, surrogate pairs, lines joined and split,
# brackets left open) with malformed messages, huge, truncated and over-long frames and requests
# for documents that are not open mixed in. The session ends with the diagnostics a fresh open of
# the final text gets, every request answered, and memory flat (RSS from /proc).
# (ASAN_OPTIONS matters in the checked build only: ASan's quarantine of freed memory would count as growth.)
# RUN: env ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
# RUN:   %python %s %forksafe 2> %t.err | FileCheck %s
import os
import queue
import random
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, rng, short

s = Server(sys.argv[1], stderr=sys.stderr)
s.initialize()
received = queue.Queue()


def read_all():
    while True:
        try:
            received.put(s.receive(quiet=True))
        except SystemExit:
            received.put(None)
            return


threading.Thread(target=read_all, daemon=True).start()

URI = "file:///proj/endurance.py"
text = ("import os, subprocess, multiprocessing as mp\n"
        "# caf\u00e9 \U0001F600\n"
        "def work():\n"
        "    subprocess.run(['true'], preexec_fn=os.setsid)\n"
        "ctx = mp.get_context('fork')\n")
s.open(URI, text)
rnd = random.Random(1234)
FRAGMENTS = ["x", "\u00e9", "\U0001F600", "(", ")", "\n", "    ", "import os\n", "os.fork()\n",
             "mp.set_start_method('fork')\n", "def f():\n    pass\n", "'", "#", "[1,\n 2]\n",
             "subprocess.Popen(['ls'], preexec_fn=f)\n"]


def units(line, i):
    return len(line[:i].encode("utf-16-le")) // 2


def random_point(lines):
    row = rnd.randrange(len(lines))
    col = rnd.randrange(len(lines[row]) + 1)
    return row, col


def edit(version):
    global text
    lines = text.split("\n")
    (r1, c1), (r2, c2) = sorted([random_point(lines), random_point(lines)])
    if rnd.random() < 0.6 or len(text) < 200:
        r2, c2 = r1, c1  # an insertion
    new = rnd.choice(FRAGMENTS) if len(text) < 3000 else ""
    if len(text) >= 3000:
        r1, c1, r2, c2 = 5, 0, len(lines) // 2, 0  # keep the text small: cut a big block
    start = sum(len(l) + 1 for l in lines[:r1]) + c1
    end = sum(len(l) + 1 for l in lines[:r2]) + c2
    change = {"range": rng(r1, units(lines[r1], c1), r2, units(lines[r2], c2)), "text": new}
    text = text[:start] + new + text[end:]
    s.change(URI, version, change)


def hostile(i):
    kind = i % 8
    if kind == 0:
        s.raw(b"Content-Length: 25\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\":")  # not JSON
    elif kind == 1:
        s.raw(b"Content-Length: 1000000000\r\n\r\n" + b"\"" * 3000)  # huge, cut short by the next frame
    elif kind == 2:
        s.raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\": \"2.0\", \"method\": \"$/x\"}")  # too long
    elif kind == 3:
        s.raw(b"Content-Length: 10\r\n\r\n{\"jsonrpc\": \"2.0\", \"method\": \"$/x\"}")  # too short
    elif kind == 4:
        s.raw(b"Content-Length: banana\r\n\r\n{}")
    elif kind == 5:
        s.change("file:///proj/never-opened.py", i, {"text": "os.fork()"})
    elif kind == 6:
        s.request("textDocument/codeAction", {"textDocument": {"uri": "file:///proj/never-opened.py"},
                                              "range": rng(0, 0, 0, 0), "context": {"diagnostics": []}})
    else:
        s.raw(b"Content-Length: 2\r\n\r\n[" + b"[" * 1)  # deep enough to be truncated JSON


rss = {}
for i in range(10000):
    edit(i + 2)
    if i % 25 == 0:
        hostile(i // 25)
    if i % 200 == 0:
        # Let the server catch up now and then, as an editor's user pauses.
        while received.get().get("params", {}).get("version") != i + 2:
            pass
    if i == 1000:
        rss["start"] = s.rss_kb()
rss["end"] = s.rss_kb()
lines = text.split("\n")
clean = "import multiprocessing as mp\nmp.set_start_method('fork')\nctx = mp.get_context('fork')\n"
# The same text, opened fresh, must get the same diagnostics.
s.open("file:///proj/fresh.py", text, version=1)
last = {}
while "file:///proj/fresh.py" not in last or last.get(URI, {}).get("version") != 10001:
    m = received.get()
    if m is None:
        sys.exit("the server went away")
    if m.get("method") == "textDocument/publishDiagnostics":
        last[m["params"]["uri"]] = m["params"]
edited, fresh = short(last[URI]["diagnostics"]), short(last["file:///proj/fresh.py"]["diagnostics"])
print("after 10,000 edits:", len(edited), "diagnostics, the same as a fresh open:", edited == fresh)
if edited != fresh:
    print("edited:", edited, "\nfresh:", fresh, "\ntext:", repr(text))
# CHECK: after 10,000 edits: {{[0-9]+}} diagnostics, the same as a fresh open: True
# Then the whole text is replaced by a clean program through one range edit: text the server
# held beyond the client's (a lost deletion) would stay and show.
s.change(URI, 10002, {"range": rng(0, 0, len(lines) - 1, units(lines[-1], len(lines[-1]))), "text": clean})
while True:
    m = received.get()
    if m is None:
        sys.exit("the server went away")
    if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == URI:
        print("\n".join(short(m["params"]["diagnostics"])))
        break
# CHECK-NEXT: 1:0-1:27 forksafe-start-method-at-import
# CHECK-NEXT: 1:20-1:26 forksafe-hardcoded-fork-context
# CHECK-NEXT: 2:21-2:27 forksafe-hardcoded-fork-context
growth = (rss["end"] - rss["start"]) // 1024
print("RSS after 1,000 edits and after 10,000 grows by under 16 MB:", growth < 16, growth)
# CHECK: RSS after 1,000 edits and after 10,000 grows by under 16 MB: True

rid = s.request("shutdown")
while True:
    m = received.get()
    if m is None or (m.get("id") == rid and "method" not in m):
        break
print("shutdown answered:", m is not None and m.get("result", 1) is None)
# CHECK: shutdown answered: True
s.notify("exit", {})
s.proc.stdin.close()
print("exit status", s.proc.wait(timeout=60))
# CHECK: exit status 0
