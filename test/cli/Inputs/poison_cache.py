"""Rewrites every entry of a forksafe results cache so that each finding's message is POISONED.

A run that prints POISONED used a cache entry: the cache test tells a reused entry from a fresh
analysis this way. An entry is a header line, one line per dependency, an empty line, then JSON.
"""
import json
import os
import sys

count = 0
for folder, _, files in os.walk(os.path.join(sys.argv[1], "python-results")):
    for name in files:
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            header, sep, payload = f.read().partition(b"\n\n")
        assert header.startswith(b"forksafe-cache-entry") and sep, path
        findings = json.loads(payload)
        for d in findings["diagnostics"]:
            d["message"] = "POISONED"
        with open(path, "wb") as f:
            f.write(header + sep + json.dumps(findings).encode())
        count += 1
print("poisoned %d entries" % count)
