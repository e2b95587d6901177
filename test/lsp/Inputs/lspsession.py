"""A scripted language-server client for the lit tests: raw bytes as well as messages.

Every message the server sends is printed on one line as JSON with sorted keys (keys starting
with `_` are left out), in the order received, so FileCheck can check the whole conversation.
"""
import json
import os
import subprocess
import sys
import time


class Server:
    def __init__(self, forksafe, *args, stderr=None, cwd=None):
        self.proc = subprocess.Popen([forksafe, "lsp", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr, cwd=cwd)
        self.next_id = 1

    # --- sending ---
    def raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    @staticmethod
    def frame(msg):
        body = json.dumps(msg).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def notify(self, method, params):
        self.raw(self.frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def request(self, method, params=None):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.raw(self.frame(msg))
        return rid

    # --- receiving ---
    def receive(self, quiet=False):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                sys.exit("lspsession: the server closed its output")
            line = line.strip()
            if not line:
                break
            key, _, value = line.partition(b":")
            if key.lower() == b"content-length":
                length = int(value)
        msg = json.loads(self.proc.stdout.read(length))
        if not quiet:
            print(json.dumps(msg, sort_keys=True))
        return msg

    def response(self, rid, quiet=False):
        """Reads messages up to the response to request rid (printing them all)."""
        while True:
            m = self.receive(quiet)
            if m.get("id") == rid and "method" not in m:
                return m

    def diagnostics(self, uri, version=None, quiet=False):
        """Reads messages up to the publication for uri (of at least version); returns it."""
        while True:
            m = self.receive(quiet)
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                v = m["params"].get("version")
                if version is None or v is None or v >= version:
                    return m["params"]["diagnostics"]

    def collect(self, uris):
        """Reads messages until each of uris has a publication (in whatever order they come)."""
        got = {}
        while not all(u in got for u in uris):
            m = self.receive(quiet=True)
            if m.get("method") == "textDocument/publishDiagnostics":
                got[m["params"]["uri"]] = m["params"]["diagnostics"]
        return got

    # --- the usual steps ---
    def initialize(self, capabilities=None, quiet=True, **params):
        p = {"processId": None, "rootUri": None, "capabilities": capabilities or {}}
        p.update(params)
        rid = self.request("initialize", p)
        r = self.response(rid, quiet)
        self.notify("initialized", {})
        return r

    def open(self, uri, text, language="python", version=1):
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language,
                                                              "version": version, "text": text}})

    def change(self, uri, version, *changes):
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": list(changes)})

    def shutdown(self):
        rid = self.request("shutdown")
        self.response(rid)
        self.notify("exit", {})
        self.proc.stdin.close()
        print("exit status", self.proc.wait(timeout=60))

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def hwm_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


def short(diags):
    """Diagnostics as `line:char-line:char code` strings, sorted."""
    return sorted("%d:%d-%d:%d %s" % (d["range"]["start"]["line"], d["range"]["start"]["character"],
                                      d["range"]["end"]["line"], d["range"]["end"]["character"],
                                      d.get("code", "error: " + d["message"])) for d in diags)
