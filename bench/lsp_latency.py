#!/usr/bin/env python3
"""Language-server edit latency: didChange on a 10,000-line Python file to its publishDiagnostics.

usage: bench/lsp_latency.py [--forksafe build/bin/forksafe] [--edits 50] [--lines 10000]

The document is real code: modules of the running Python's standard library that use
multiprocessing, subprocess and threads, joined until it has --lines lines (what an editor sends
for a large module). The script opens it, then
  1. makes --edits single edits (typing one character inside a function in the middle of the file),
     each time waiting for the publishDiagnostics of that version: the latency of one keystroke;
  2. sends bursts of 20 edits back to back (typing a word) and measures from the last didChange to
     the publishDiagnostics of the last version: the goal is that a burst is answered within
     100 ms of its last edit, with one publication per burst, not one per edit.
Changes are sent as ranges when the server offers incremental sync, else as the whole text.
Prints medians and maxima in milliseconds. Not part of the test suite (timings depend on the machine).
"""
import argparse
import os
import re
import statistics
import sys
import sysconfig
import time

MODULES = ["subprocess.py", "multiprocessing/pool.py", "multiprocessing/managers.py",
           "multiprocessing/context.py", "multiprocessing/process.py", "multiprocessing/connection.py",
           "multiprocessing/queues.py", "multiprocessing/synchronize.py", "multiprocessing/util.py",
           "concurrent/futures/process.py", "concurrent/futures/thread.py", "threading.py",
           "multiprocessing/forkserver.py", "multiprocessing/resource_tracker.py", "logging/__init__.py",
           "socketserver.py", "asyncio/base_events.py", "asyncio/unix_events.py"]


def build_document(lines):
    stdlib = sysconfig.get_paths()["stdlib"]
    out = []
    for name in MODULES:
        path = os.path.join(stdlib, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            out += [l for l in f.read().split("\n") if not l.startswith("from __future__")]
        if len(out) >= lines:
            break
    out = out[:lines]
    # End on a top-level line, so the cut never leaves an open block or bracket behind.
    while out and (not out[-1] or out[-1][0] in " \t)]}"):
        out.pop()
    out += ["import multiprocessing, os",
            "multiprocessing.set_start_method('fork')",
            "subprocess.run(['true'], preexec_fn=os.setsid)"]
    return "\n".join(out) + "\n"


# The framing of messages is the lit tests' client's (test/lsp/Inputs/lspsession.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "lsp", "Inputs"))
import lspsession  # noqa: E402


class Client(lspsession.Server):
    def __init__(self, forksafe):
        super().__init__(forksafe)

    def send(self, msg):
        self.raw(self.frame(msg))

    def receive(self, quiet=True):
        return super().receive(quiet)

    def wait_publish(self, uri, version):
        """Waits for the diagnostics of `version`; returns them and how many publications came."""
        count = 0
        while True:
            m = self.receive()
            if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
                continue
            count += 1
            v = m["params"].get("version")
            if v is None or v >= version:
                return m["params"]["diagnostics"], count


def cpu_ms(pid):
    """The server's user + system CPU time so far (a loaded machine stretches wall time, not this)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--forksafe", default="build/bin/forksafe")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--bursts", type=int, default=10)
    ap.add_argument("--lines", type=int, default=10000)
    args = ap.parse_args()

    text = build_document(args.lines)
    lines = text.split("\n")
    uri = "file:///tmp/forksafe-lsp-bench/big_module.py"
    c = Client(args.forksafe)
    c.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    caps = c.receive()["result"]["capabilities"]
    sync = caps.get("textDocumentSync", {})
    incremental = (sync.get("change") if isinstance(sync, dict) else sync) == 2
    c.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    t0 = time.perf_counter()
    c.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
    diags, _ = c.wait_publish(uri, 1)
    open_ms = (time.perf_counter() - t0) * 1000

    # Where to type: into the name assigned on a line inside a function body near the middle of
    # the file (`value = ...` becomes `vxxxalue = ...`), so the text stays valid Python.
    def typing_point(row):
        while not re.match(r"^        +[a-z_][a-z_0-9]* = ", lines[row]):
            row += 1
        return row, len(lines[row]) - len(lines[row].lstrip()) + 1

    row, col = typing_point(len(lines) // 2)
    version = 1

    def edit(new_text):
        nonlocal version, col
        version += 1
        if incremental:
            pos = {"line": row, "character": utf16_len(lines[row][:col])}
            change = {"range": {"start": pos, "end": pos}, "text": new_text}
        else:
            change = None
        lines[row] = lines[row][:col] + new_text + lines[row][col:]
        col += len(new_text)
        if change is None:
            change = {"text": "\n".join(lines)}
        c.send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})

    singles, single_cpu = [], []
    for i in range(args.edits):
        t, u = time.perf_counter(), cpu_ms(c.proc.pid)
        edit("x")
        c.wait_publish(uri, version)
        singles.append((time.perf_counter() - t) * 1000)
        single_cpu.append(cpu_ms(c.proc.pid) - u)

    bursts, publications, burst_cpu = [], [], []
    for b in range(args.bursts):
        row, col = typing_point(row + 7)
        u = cpu_ms(c.proc.pid)
        for i in range(20):
            edit("y")
        t = time.perf_counter()
        _, count = c.wait_publish(uri, version)
        bursts.append((time.perf_counter() - t) * 1000)
        burst_cpu.append(cpu_ms(c.proc.pid) - u)
        publications.append(count)

    c.send({"jsonrpc": "2.0", "id": 9, "method": "shutdown"})
    while c.receive().get("id") != 9:
        pass
    c.send({"jsonrpc": "2.0", "method": "exit"})
    c.proc.wait(timeout=30)

    print(f"document: {len(text.splitlines())} lines, {len(text)} bytes, {len(diags)} diagnostics;"
          f" sync: {'incremental' if incremental else 'full'}")
    print(f"didOpen to publishDiagnostics: {open_ms:.1f} ms")
    print(f"one edit, didChange to publishDiagnostics ({args.edits} edits): median {statistics.median(singles):.1f} ms,"
          f" max {max(singles):.1f} ms (goal: <= 20 ms); server CPU per edit: median {statistics.median(single_cpu):.0f} ms")
    print(f"burst of 20 edits, last didChange to publishDiagnostics ({args.bursts} bursts): median"
          f" {statistics.median(bursts):.1f} ms, max {max(bursts):.1f} ms (goal: <= 100 ms);"
          f" publications per burst: {statistics.median(publications):g}; server CPU per burst: median"
          f" {statistics.median(burst_cpu):.0f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          " (wall times stretch with load; CPU times at 10 ms resolution)")


if __name__ == "__main__":
    main()
