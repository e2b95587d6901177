# Whole-program analysis in the editor: a module saved mid-session (here, created and saved)
# changes the findings of the open documents that import it, without a restart. Before the
# module exists the import resolves to nothing and there is no finding; once it is saved, the
# importing document is published again with the cross-module finding and its note.
# RUN: rm -rf %t && mkdir -p %t/proj/app
# RUN: %python %s %forksafe %t/proj | FileCheck %s
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from lspsession import Server, short

forksafe, root = sys.argv[1], sys.argv[2]
root_uri = "file://" + root
with open(os.path.join(root, "pyproject.toml"), "w") as f:
    f.write("[project]\nname = 'app'\n")
open(os.path.join(root, "app", "__init__.py"), "w").close()
main_text = "from app.workers import start_all\n\nstart_all()\n"
with open(os.path.join(root, "app", "main.py"), "w") as f:
    f.write(main_text)

s = Server(forksafe)
s.initialize({}, rootUri=root_uri)
main_uri = root_uri + "/app/main.py"
s.open(main_uri, main_text)
got = s.collect([main_uri])
print("before", short(got[main_uri]))
# CHECK: before []

# The module appears: written by the editor and saved.
workers = ("import multiprocessing\n\ndef work():\n    pass\n\n"
           "def start_all():\n    p = multiprocessing.Process(target=work)\n    p.start()\n")
workers_uri = root_uri + "/app/workers.py"
with open(os.path.join(root, "app", "workers.py"), "w") as f:
    f.write(workers)
s.open(workers_uri, workers)
s.notify("textDocument/didSave", {"textDocument": {"uri": workers_uri}})
got = s.collect([main_uri])
print("after", short(got[main_uri]))
for r in got[main_uri][0].get("relatedInformation", []):
    print("note", r["location"]["uri"].rsplit("/", 1)[-1], r["location"]["range"]["start"]["line"], r["message"])
# CHECK-NEXT: after ['2:0-2:11 forksafe-unguarded-process-start']
# CHECK-NEXT: note main.py 2 'start_all' called here
# CHECK-NEXT: note workers.py 7 process started here
s.shutdown()
# CHECK: exit status 0
