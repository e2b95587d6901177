"""Builds a folder of hostile inputs for forksafe, with healthy files among them whose findings
must all still be reported in the same run.

usage: make_hostile_tree.py DIR

Every healthy file is named good*.py (or has 'good' in its folder) and holds one hazard
(forksafe-preexec-fn) on its last line; check_report.py knows the list.
"""
import os
import socket
import sys

root = os.fsencode(sys.argv[1])
os.makedirs(root)
HAZARD = b'import os, subprocess\nsubprocess.run(["true"], preexec_fn=os.setsid)\n'


def path(name):
    return os.path.join(root, name if isinstance(name, bytes) else name.encode())


def write(name, data):
    p = path(name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)


write("good.py", HAZARD)

# Not regular files: never opened for reading (a FIFO would block, /dev/zero never ends).
os.mkfifo(path("fifo.py"))
sock = socket.socket(socket.AF_UNIX)
sock.bind(path("socket.py"))
os.symlink("/dev/zero", path("zero.py"))
os.symlink("/dev/null", path("null.py"))
os.symlink("/dev/urandom", path("urandom.py"))
# Hostile configuration and ignore files beside healthy code.
os.makedirs(path("fifo_config"))
os.mkfifo(path("fifo_config/pyproject.toml"))
write("fifo_config/good_fifo_config.py", HAZARD)
os.makedirs(path("zero_config"))
os.symlink("/dev/zero", path("zero_config/.forksafe.toml"))
write("zero_config/good_zero_config.py", HAZARD)
os.makedirs(path("zero_ignore"))
os.symlink("/dev/zero", path("zero_ignore/.gitignore"))
write("zero_ignore/good_zero_ignore.py", HAZARD)
os.makedirs(path("fifo_ignore"))
os.mkfifo(path("fifo_ignore/.gitignore"))
write("fifo_ignore/good_fifo_ignore.py", HAZARD)

# Links that lead nowhere.
os.symlink("missing.py", path("dangling.py"))
os.symlink("loop_b.py", path("loop_a.py"))
os.symlink("loop_a.py", path("loop_b.py"))
os.symlink(".", path("cycle"))

# Bytes that are not Python text.
write("binary.py", bytes(range(256)) * 64)
write("nul.py", b"import os\x00\n" + HAZARD)
write("latin1.py", b"x = 'caf\xe9'\n" + HAZARD)
write(b"names/good_caf\xe9_name.py", HAZARD)    # a file name that is not UTF-8
write("names/good_utf8_\u00e9\u4e2d.py".encode(), HAZARD)
os.mkfifo(path(b"names/fifo_\xff.py"))
# Lone-CR line endings (CPython accepts them): no syntax error, the hazard on line 3.
write("good_cr.py", b"import os, subprocess\r\rsubprocess.run(['true'], preexec_fn=os.setsid)\r")
write("good_crlf.py", HAZARD.replace(b"\n", b"\r\n"))

# Deep nesting of every kind, each followed by the hazard: the rest of the file is analysed.
D = 50000
deep = {
    "parens": b"x = " + b"(" * D + b"1" + b")" * D,
    "lists": b"x = " + b"[" * D + b"]" * D,
    "dicts": b"x = " + b"{1: " * D + b"1" + b"}" * D,
    "sets": b"x = " + b"{" * D + b"1" + b"}" * D,
    "calls": b"x = " + b"f(" * D + b")" * D,
    "subscripts": b"x = a" + b"[a" * D + b"]" * D,
    "attributes": b"x = a" + b".b" * D,
    "unary": b"x = " + b"-" * D + b"1",
    "not": b"x = " + b"not " * D + b"a",
    "lambdas": b"x = " + b"lambda: " * D + b"1",
    "conditionals": b"x = " + b"a if b else " * D + b"c",
    "awaits": b"async def g():\n    x = " + b"await " * D + b"a",
    "comprehensions": b"x = " + b"[a for a in " * 5000 + b"b" + b"]" * 5000,
    "strings": b"x = " + b"'a' " * D,
    "blocks": b"".join(b" " * i + b"if a:\n" for i in range(2000)) + b" " * 2000 + b"pass",
    "defs": b"".join(b" " * i + b"def f():\n" for i in range(2000)) + b" " * 2000 + b"pass",
    "classes": b"".join(b" " * i + b"class C:\n" for i in range(2000)) + b" " * 2000 + b"pass",
    "decorators": b"@d\n" * D + b"def f(): pass",
    "chained_calls": b"x = a" + b"()" * D,
}
for name, code in deep.items():
    write("deep/good_deep_%s.py" % name, code + b"\n" + HAZARD)
# Nested f-strings with the same quote are Python 3.12's; tree-sitter's grammar gives up on
# them at some depth: a syntax error, no crash.
write("deep/deep_fstrings.py", b"x = " + b"f'{" * 2000 + b"1" + b"}'" * 2000 + b"\n" + HAZARD)

# 200,000-term expressions.
T = 200000
terms = {
    "sum": b"x = " + b" + ".join([b"a"] * T),
    "and": b"x = " + b" and ".join([b"a"] * T),
    "compare": b"x = " + b" < ".join([b"a"] * T),
    "args": b"x = f(" + b", ".join([b"a"] * T) + b")",
    "tuple": b"x = " + b", ".join([b"a"] * T),
    "list": b"x = [" + b", ".join([b"1"] * T) + b"]",
    "dict": b"x = {" + b", ".join([b"1: 2"] * T) + b"}",
}
for name, code in terms.items():
    write("terms/good_terms_%s.py" % name, code + b"\n" + HAZARD)

# A 1 MB line and a file of 15 MB that is one data literal.
write("good_long_line.py", b"x = '" + b"a" * (1 << 20) + b"'\n" + HAZARD)
write("good_big_literal.py", b"x = [" + b"1," * (15 << 19) + b"]\n" + HAZARD)

# 100,000 files in one folder (their contents concern no rule).
os.makedirs(path("many"))
for i in range(100000):
    with open(path("many/f%06d.py" % i), "wb") as f:
        f.write(b"x = 1\n")
write("many/good_many.py", HAZARD)

# Unreadable (the test runs forksafe without the capabilities that let root read anyway).
write("unreadable.py", HAZARD)
os.chmod(path("unreadable.py"), 0)
write("locked/good_locked_never_read.py", HAZARD)
os.chmod(path("locked"), 0)

# Removed between the walk and the analysis (FORKSAFE_TEST_REMOVE_AFTER_WALK).
write("vanish.py", HAZARD)
