"""Every check forksafe lists has a docs page with the sections a docs page needs, and every
docs page belongs to a check: docs and code cannot drift apart.

usage: check_docs.py FORKSAFE DOCS_DIR
"""
import os
import re
import subprocess
import sys

forksafe, docs = sys.argv[1], sys.argv[2]
listed = {}
for line in subprocess.check_output([forksafe, "--list-checks", "--checks=*"], text=True).splitlines():
    check_id, langs = line.split()[:2]
    listed[check_id] = langs
pages = {f[:-3] for f in os.listdir(docs) if f.endswith(".md")}
problems = []
for check_id in sorted(set(listed) - pages):
    problems.append("%s: no docs/checks/%s.md" % (check_id, check_id))
for page in sorted(pages - set(listed)):
    problems.append("docs/checks/%s.md: no such check" % page)
for check_id in sorted(set(listed) & pages):
    text = open(os.path.join(docs, check_id + ".md")).read()
    if not text.startswith("# %s\n" % check_id):
        problems.append("%s: the page must start with '# %s'" % (check_id, check_id))
    lower = text.lower()
    for word in ("example", "option", "fix"):
        if word not in lower:
            problems.append("%s: the page says nothing of '%s'" % (check_id, word))
    for lang, heading in (("python", "## Python"), ("c++", "## C and C++")):
        if lang in listed[check_id].split(",") and "," in listed[check_id] and heading not in text:
            problems.append("%s: checked in both languages, but no '%s' section" % (check_id, heading))
    # Code blocks must be closed.
    if len(re.findall(r"^```", text, re.M)) % 2:
        problems.append("%s: an unclosed code block" % check_id)
for p in problems:
    print("problem:", p)
print("%d checks, %d pages, %d problems" % (len(listed), len(pages), len(problems)))
sys.exit(1 if problems else 0)
