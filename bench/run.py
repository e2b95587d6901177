#!/usr/bin/env python3
"""The forksafe speed benchmark (docs/performance.md). One command, not part of the tests:

    bench/run.py [--install] [--runs 5] [--forksafe build/bin/forksafe] [-j N] [--corpus NAME=DIR]...

Over each corpus (default: this machine's Python standard library, without its site-packages,
and its site-packages) it runs, alternating them in every round, on the same list of files:
  forksafe            the program as users run it (--no-cache: no results cache)
  forksafe-nofilter   every file parsed and every rule run (--no-prefilter --no-cache)
  forksafe-perfile    each Python file alone, without the project's summaries (--no-project)
  ast-grep            @ast-grep/cli with three equivalent rules (bench/ast-grep/)
  floor-full          a bare tree-sitter parse of every file (same grammar and runtime)
  floor-filtered      read every file, parse those holding a pre-filter word
and prints the median wall time, CPU time (user+sys) and peak memory of each, and the ratios the
goals of issue 12 name. Then: a cold against a warm results cache, the start-up cost (an empty
Python file), the language server's edit latency (bench/lsp_latency.py) and, with --cpp, the C/C++
checks against clang-tidy with one trivial check on Debian's redis (bench/cpp_overhead.py, which
fetches and builds it the first time). --install puts ast-grep under bench/node_modules (npm;
never done in CI).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

MEASURE = None  # bench/measure.c, built by main()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The words of the pre-filter with the built-in API table (checkers/python/Prefilter.cpp derives
# them; this copy only feeds the floor).
WORDS = ["fork", "forkpty", "multiprocessing", "concurrent", "torch", "distilabel", "lightning",
         "pytorch_lightning", "subprocess", "preexec_fn", "set_start_method"]


def measured(cmd, stdin_text=None):
    """(wall, cpu, peak KB, stdout, stderr) of one run of cmd, through bench/measure.c (the
    child's own rusage: a child forked from this Python would count its pages in its peak)."""
    stdin = subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as usage:
        start = time.perf_counter()
        p = subprocess.Popen([MEASURE, usage.name] + cmd, stdin=stdin, stdout=out, stderr=err)
        if stdin_text is not None:
            p.stdin.write(stdin_text.encode())
            p.stdin.close()
        p.wait()
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        o, e = out.read(), err.read()
        fields = usage.read().split()
    if p.returncode != 0 or len(fields) != 4:
        sys.exit("could not measure %s:\n%s" % (cmd[0], e.decode(errors="replace")[-2000:]))
    user, system, peak, code = (int(f) for f in fields)
    if code not in (0, 1, 2):
        sys.exit("%s exited %d:\n%s" % (cmd[0], code, e.decode(errors="replace")[-2000:]))
    return wall, (user + system) / 1e6, peak, o, e


def python_files(root, exclude=()):
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and os.path.join(folder, d) not in exclude)
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".py")]
    return files


def build_floor():
    src = os.path.join(ROOT, "grammars", "node_modules", "tree-sitter-python", "src")
    out_dir = os.path.join(HERE, ".build")
    os.makedirs(out_dir, exist_ok=True)
    exe = os.path.join(out_dir, "parse_floor")
    sources = [os.path.join(HERE, "parse_floor.cpp")]
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(os.path.getmtime(s) for s in sources):
        objs = []
        for c in ("parser.c", "scanner.c"):
            o = os.path.join(out_dir, c + ".o")
            if not os.path.exists(o):
                subprocess.check_call(["cc", "-O2", "-c", "-I", src, os.path.join(src, c), "-o", o])
            objs.append(o)
        subprocess.check_call(["c++", "-O2", "-std=c++17"] + sources + objs +
                              ["-ltree-sitter", "-lpthread", "-o", exe])
    return exe


def build_measure():
    out_dir = os.path.join(HERE, ".build")
    os.makedirs(out_dir, exist_ok=True)
    exe = os.path.join(out_dir, "measure")
    src = os.path.join(HERE, "measure.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.check_call(["cc", "-O2", src, "-o", exe])
    return exe


def ast_grep():
    exe = os.path.join(HERE, "node_modules", ".bin", "ast-grep")
    return exe if os.path.exists(exe) else shutil.which("ast-grep")


def fmt_row(name, samples):
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    mem = statistics.median(s[2] for s in samples) / 1024
    return wall, cpu, mem, "  %-18s wall %7.2f s   cpu %7.2f s   peak %7.1f MB" % (name, wall, cpu, mem)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forksafe", default=os.path.join(ROOT, "build", "bin", "forksafe"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("-j", dest="jobs", type=int, default=os.cpu_count())
    ap.add_argument("--corpus", action="append", default=[], help="NAME=DIR (repeatable)")
    ap.add_argument("--install", action="store_true", help="npm install ast-grep under bench/")
    ap.add_argument("--skip", action="append", default=[], help="a tool to leave out")
    ap.add_argument("--cpp", action="store_true",
                    help="also run bench/cpp_overhead.py (Debian's redis; slow the first time)")
    ap.add_argument("--no-lsp", action="store_true", help="leave out the language-server latency")
    args = ap.parse_args()

    if args.install:
        subprocess.check_call(["npm", "install", "--no-audit", "--no-fund", "--no-save",
                               "--prefix", HERE, "@ast-grep/cli@0.51.1"])
    global MEASURE
    MEASURE = build_measure()
    floor = build_floor()
    sg = ast_grep()
    if not sg:
        print("ast-grep not found: run bench/run.py --install (skipped)")
    paths = sysconfig.get_paths()
    corpora = [c.split("=", 1) for c in args.corpus] or [
        ("stdlib", paths["stdlib"]), ("site-packages", paths["purelib"])]

    fs = [args.forksafe, "--format=json", "--exit-zero", "-j", str(args.jobs)]
    for name, root in corpora:
        exclude = {paths["purelib"], os.path.join(root, "site-packages")} if name == "stdlib" else set()
        files = python_files(root, exclude)
        size = sum(os.path.getsize(f) for f in files) / 1e6
        listing = "\n".join(files) + "\n"
        tools = {
            "forksafe": (fs + ["--no-cache"] + files, None),
            "forksafe-nofilter": (fs + ["--no-cache", "--no-prefilter"] + files, None),
            "forksafe-perfile": (fs + ["--no-cache", "--no-project"] + files, None),
            "floor-full": ([floor, "-j", str(args.jobs)], listing),
            "floor-filtered": ([floor, "-j", str(args.jobs), "--words", ",".join(WORDS)], listing),
        }
        if sg:
            tools["ast-grep"] = ([sg, "scan", "--json=compact", "-j", str(args.jobs), "-c",
                                  os.path.join(HERE, "ast-grep", "sgconfig.yml")] + files, None)
        for s in args.skip:
            tools.pop(s, None)
        samples = {t: [] for t in tools}
        notes = {}
        for _ in range(args.runs):
            for t, (cmd, stdin) in tools.items():
                w, c, m, out, err = measured(cmd, stdin)
                samples[t].append((w, c, m))
                if t.startswith("forksafe"):
                    notes[t] = "%d findings" % len(json.loads(out)["diagnostics"])
                elif t.startswith("floor"):
                    notes[t] = out.decode().strip()
                else:
                    notes[t] = "%d matches" % len(json.loads(out or b"[]"))
        print("\n%s: %s, %d files, %.0f MB (median of %d alternating runs, -j %d)" % (
            name, root, len(files), size, args.runs, args.jobs))
        med = {}
        for t in tools:
            w, c, m, line = fmt_row(t, samples[t])
            med[t] = (w, c, m)
            print(line + "   " + notes.get(t, ""))

        def ratio(a, b, what, goal):
            if a in med and b in med:
                print("  %-44s wall %5.2f x  cpu %5.2f x   (goal %s)" % (
                    what, med[a][0] / med[b][0], med[a][1] / med[b][1], goal))
        ratio("forksafe", "ast-grep", "forksafe / ast-grep", "<= 0.30 stdlib, <= 0.15 site-packages")
        ratio("forksafe", "floor-filtered", "forksafe / floor (read all, parse filtered)", "<= 1.2")
        ratio("forksafe-nofilter", "floor-full", "forksafe --no-prefilter / full parse floor", "<= 1.1")
        ratio("forksafe", "floor-full", "forksafe / full parse floor", "-")
        ratio("forksafe", "forksafe-perfile", "whole-program / per-file (--no-project)", "<= 1.3")
        ratio("ast-grep", "floor-full", "ast-grep / full parse floor", "-")

        # Results cache: cold (an empty cache folder) against warm (the same folder again).
        cold, warm = [], []
        for _ in range(args.runs):
            d = tempfile.mkdtemp(prefix="forksafe-bench-cache-")
            cold.append(measured(fs + ["--cache-dir", d] + files)[:3])
            warm.append(measured(fs + ["--cache-dir", d] + files)[:3])
            shutil.rmtree(d)
        wc, _, _, lc = fmt_row("cache cold", cold)
        ww, _, _, lw = fmt_row("cache warm", warm)
        print(lc)
        print(lw)
        print("  %-44s wall %5.2f x   (goal <= 0.2)" % ("warm / cold", ww / wc))

    # Start-up: one empty Python file.
    with tempfile.TemporaryDirectory() as d:
        empty = os.path.join(d, "empty.py")
        open(empty, "w").close()
        start = [measured([args.forksafe, "--no-cache", empty])[:3] for _ in range(max(10, args.runs))]
        w, c, m, line = fmt_row("start-up", start)
        print("\nempty Python file:\n" + line + "   (goal <= 15 ms, <= 15 MB)")

    if not args.no_lsp:
        print("\nlanguage server (bench/lsp_latency.py):", flush=True)
        subprocess.call([sys.executable, os.path.join(HERE, "lsp_latency.py"), "--forksafe", args.forksafe])
    if args.cpp:
        print("\nC/C++ (bench/cpp_overhead.py):", flush=True)
        subprocess.call([sys.executable, os.path.join(HERE, "cpp_overhead.py"), "--forksafe", args.forksafe])


if __name__ == "__main__":
    main()
