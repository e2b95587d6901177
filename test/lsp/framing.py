# Bad frames never cost the server the messages after them: each is skipped with a message on
# stderr saying what was wrong, and the server still answers every later request, shutdown last.
# Huge lengths allocate nothing before their bytes arrive; deep JSON is refused before parsing.
# (ASAN_OPTIONS matters in the checked build only: ASan's quarantine of freed memory would count as growth.)
# RUN: env ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
# RUN:   %python %s %forksafe 2> %t.err | FileCheck %s
# RUN: FileCheck --check-prefix=ERR %s < %t.err
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server

s = Server(sys.argv[1], stderr=sys.stderr)
s.initialize()


def ping(label):
    """A request whose answer shows the server still reads frames after the bad one."""
    print("--", label)
    s.response(s.request("workspace/symbol", {"query": label}))


# ERR: bad Content-Length header "Content-Length: 1e12": it is not a decimal byte count
s.raw(b"Content-Length: 1e12\r\n\r\n{}")
ping("exponent")
# CHECK-LABEL: -- exponent
# CHECK-NEXT: {"error": {"code": -32601, "message": "method not found: workspace/symbol"}, "id": 2, "jsonrpc": "2.0"}

# ERR: bad Content-Length header "Content-Length: -5": it is not a decimal byte count
s.raw(b"Content-Length: -5\r\n\r\n{}")
ping("negative")
# CHECK-LABEL: -- negative
# CHECK-NEXT: "id": 3

# ERR: bad Content-Length header "Content-Length: ": it is empty
s.raw(b"Content-Length: \r\n\r\n{}")
ping("empty")
# CHECK-LABEL: -- empty
# CHECK-NEXT: "id": 4

# ERR: bad Content-Length header "Content-Length: 99999999999999999999999": it is too large
s.raw(b"Content-Length: 99999999999999999999999\r\n\r\n{}")
ping("too many digits")
# CHECK-LABEL: -- too many digits
# CHECK-NEXT: "id": 5

# Header names are case-insensitive (HTTP's rule, which LSP's base protocol follows).
print("-- lowercase")
body = b'{"jsonrpc": "2.0", "id": 100, "method": "shutdown!"}'
s.raw(b"content-length: %d\r\n\r\n" % len(body) + body)
s.response(100)
# CHECK-LABEL: -- lowercase
# CHECK-NEXT: {"error": {"code": -32601, "message": "method not found: shutdown!"}, "id": 100, "jsonrpc": "2.0"}

# A length far over the limit: skipped as it arrives, never stored. The next header inside the
# skipped bytes is found (a raw line break after `Content-Length: N` cannot be part of JSON).
# ERR: a message of 1000000000000 bytes is over the limit of 67108864 bytes; it is skipped
# ERR: a new header began inside the skipped message; reading resumes there
s.raw(b"Content-Length: 1000000000000\r\n\r\n" + b"x" * 100000)
ping("1e12 as digits")
# CHECK-LABEL: -- 1e12 as digits
# CHECK-NEXT: "id": 6

# A gigabyte announced, and its bytes trickling in: memory stays flat (checked at the end).
# ERR: a message of 1000000000 bytes is over the limit
s.raw(b"Content-Length: 1000000000\r\n\r\n")
for _ in range(40):
    s.raw(b"[" * 100000)
ping("1e9")
# CHECK-LABEL: -- 1e9
# CHECK-NEXT: "id": 7

# Too big: the body is followed by the next message, whose header the reader recognises, so
# the body itself is still read and handled.
# ERR: a message was shorter than its Content-Length of 500: a new header began after 56 bytes
s.raw(b'Content-Length: 500\r\n\r\n{"jsonrpc": "2.0", "id": 101, "method": "shutdown!"}    ')
ping("too big")
# CHECK-LABEL: -- too big
# CHECK-NEXT: "id": 101
# CHECK-NEXT: "id": 8

# Too small: the cut body is not JSON; its rest is junk in front of the next header.
# ERR: a message that is not JSON is skipped
# ERR: skipped 18 bytes that are not a message header: "workspace/symbol\x22}Content-Length: {{[0-9]+}}"
s.raw(b'Content-Length: 40\r\n\r\n{"jsonrpc": "2.0", "id": 99, "method": "workspace/symbol"}')
ping("too small")
# CHECK-LABEL: -- too small
# CHECK-NEXT: "id": 9

# No Content-Length at all, and junk lines.
# ERR: a message without a Content-Length header is skipped
s.raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n")
# ERR: skipped 7 bytes that are not a message header: "garbage"
s.raw(b"garbage\r\n")
ping("no length")
# CHECK-LABEL: -- no length
# CHECK-NEXT: "id": 10

# JSON nested 40,000 deep (80 KB) is refused before the parser could recurse.
# ERR: a message nested deeper than 256 levels is skipped
deep = b"[" * 40000 + b"]" * 40000
s.raw(b"Content-Length: %d\r\n\r\n" % len(deep) + deep)
ping("deep")
# CHECK-LABEL: -- deep
# CHECK-NEXT: "id": 11

# Not an object, not UTF-8.
# ERR: a message that is not a JSON object is skipped
s.raw(s.frame([1, 2]))
# ERR: a message that is not JSON is skipped
s.raw(b"Content-Length: 3\r\n\r\n\"\xff\"")
ping("not an object")
# CHECK-LABEL: -- not an object
# CHECK-NEXT: "id": 12

# A document whose text holds a header-like line (escaped in JSON) is no frame boundary.
uri = "file:///proj/headers.py"
s.open(uri, "x = 'Content-Length: 12\\r\\n'\nimport os, subprocess\nsubprocess.run(['true'], preexec_fn=os.setsid)\n")
print("-- header in text")
# CHECK-LABEL: -- header in text
for d in s.diagnostics(uri, quiet=True):
    print(d["code"], d["range"]["start"]["line"])
# CHECK-NEXT: forksafe-preexec-fn 2

# A URI of 20,000 components: the configuration lookup walks up without recursion.
deep_uri = "file:///" + "d/" * 20000 + "deep.py"
s.open(deep_uri, "import os, subprocess\nsubprocess.run(['true'], preexec_fn=os.setsid)\n")
print("-- deep path")
# CHECK-LABEL: -- deep path
for d in s.diagnostics(deep_uri, quiet=True):
    print(d["code"], d["range"]["start"]["line"])
# CHECK-NEXT: forksafe-preexec-fn 1

peak_mb = s.hwm_kb() // 1024
print("peak memory under 200 MB:", peak_mb < 200, "" if peak_mb < 200 else peak_mb)
# CHECK: peak memory under 200 MB: True
s.shutdown()
# CHECK: "id": 13, "jsonrpc": "2.0", "result": null
# CHECK: exit status 0
