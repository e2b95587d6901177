#!/usr/bin/env python3
"""What the forksafe C/C++ checks cost on a real project: Debian's redis source.

usage: bench/cpp_overhead.py [--corpus /work/corpus] [--source DIR] [--rounds 3] [--batch 8]
                             [--trivial misc-definitions-in-headers] [--profile]

One run does everything:
 1. finds redis's source in DIR (--source), or under --corpus (fetching it there with
    `apt-get source redis` when absent: the machine needs a deb-src entry);
 2. makes its compile database with `bear -- make` unless compile_commands.json is there (holding
    an flock on <corpus>.lock while building, since other users of the corpus build it too);
 3. runs `forksafe` over redis's own translation units (src/) and prints the findings;
 4. measures the CPU time (user + system, from wait4) of, on the same translation units:
      baseline  clang-tidy with one trivial check (--trivial)
      plugin    clang-tidy -load libforksafe-tidy.so with the forksafe-* checks, each unit on
                its own (no SummaryFile)
      plugin-wp the same with SummaryFile: the summaries written once by `forksafe summarize`
                before the rounds (that step's cost is printed on its own)
      forksafe  build/bin/forksafe -j 1 --no-cache: whole-program mode, its first pass
                (summaries of every unit of the database) included
      forksafe-2nd  the same with a cache filled by one run before the rounds: a second run
                over an unchanged tree (the summaries come from the cache)
      baseline-db   the baseline over every unit of the compile database (redis's bundled
                dependencies too, 140 units against 93): what the whole-program first pass
                parses, for a like-for-like ratio of the first run
    The units are cut into batches; each batch runs once per tool per round, the tools' order
    rotating from batch to batch, so that load from other processes falls on all of them alike.
    forksafe takes all the units in one process (a whole-program run summarises the whole
    database once per process: batches would repeat it).
    It prints each tool's total and its ratio to the baseline (the goal is <= 1.05);
 5. with --profile, also sums clang-tidy's --enable-check-profile per check over the units.

Not part of the test suite: speed is measured here, never by a timed test.
"""
import argparse
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="/work/corpus",
                   help="folder holding (or receiving) redis's Debian source")
    p.add_argument("--source", help="redis source folder (default: the newest redis-* in --corpus)")
    p.add_argument("--forksafe", default=os.path.join(ROOT, "build", "bin", "forksafe"))
    p.add_argument("--plugin", default=os.path.join(ROOT, "build", "lib", "libforksafe-tidy.so"))
    p.add_argument("--clang-tidy", default="clang-tidy-19")
    p.add_argument("--trivial", default="misc-definitions-in-headers",
                   help="the one check of the baseline clang-tidy run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch", type=int, default=8, help="translation units per process")
    p.add_argument("--profile", action="store_true",
                   help="also print the checks' own time from --enable-check-profile")
    return p.parse_args()


def run(cmd, cwd=None, check=True, **kw):
    proc = subprocess.run(cmd, cwd=cwd, **kw)
    if check and proc.returncode != 0:
        sys.exit("failed (%d): %s" % (proc.returncode, " ".join(cmd)))
    return proc


def find_source(args):
    if args.source:
        return os.path.abspath(args.source)
    os.makedirs(args.corpus, exist_ok=True)
    found = sorted(d for d in glob.glob(os.path.join(args.corpus, "redis-*")) if os.path.isdir(d))
    if not found:
        print("fetching redis's source into %s (apt-get source redis)" % args.corpus, flush=True)
        proc = run(["flock", args.corpus.rstrip("/") + ".lock", "apt-get", "source", "redis"],
                   cwd=args.corpus, check=False)
        found = sorted(d for d in glob.glob(os.path.join(args.corpus, "redis-*"))
                       if os.path.isdir(d))
        if proc.returncode != 0 or not found:
            sys.exit("apt-get source redis failed: add a deb-src line for Debian's archive to "
                     "/etc/apt/sources.list.d/ and run apt-get update, or pass --source DIR")
    return found[-1]


def ensure_database(src, corpus):
    db = os.path.join(src, "compile_commands.json")
    if os.path.exists(db) and os.path.getsize(db) > 2:
        return db
    for tool in ("bear", "make", "cc"):
        if not shutil.which(tool):
            sys.exit("%s is needed to make the compile database (apt-get install bear build-essential)"
                     % tool)
    print("building redis under bear to make %s" % db, flush=True)
    # The bundled allocator and no TLS: the build needs nothing beyond a C compiler.
    lock = corpus.rstrip("/") + ".lock"
    run(["flock", lock, "sh", "-c",
         "test -s compile_commands.json || bear -- make -j2 MALLOC=libc BUILD_TLS=no "
         "USE_SYSTEMD=no >/dev/null"], cwd=src)
    return db


def units(src, db, everything=False):
    with open(db) as f:
        entries = json.load(f)
    out = []
    for e in entries:
        path = e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
        path = os.path.normpath(path)
        # redis's own code, not its bundled dependencies (unless everything).
        if everything or (os.path.dirname(path) == os.path.join(src, "src") and path.endswith(".c")):
            out.append(path)
    return sorted(set(out))


def measured(cmd, cwd):
    """Runs cmd; returns its CPU seconds (user + system), stdout, stderr and exit code. Runs
    are sequential, so the growth of RUSAGE_CHILDREN is this child's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.stdout, proc.stderr, proc.returncode


def forksafe_flags(forksafe):
    help_text = subprocess.run([forksafe, "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT).stdout.decode(errors="replace")
    flags = ["-j", "1"]
    # Measure the analysis, not a cache of earlier runs.
    if "--no-cache" in help_text:
        flags.append("--no-cache")
    return flags


def main():
    args = parse_args()
    for path in (args.forksafe, args.plugin):
        if not os.path.exists(path):
            sys.exit("%s not found: build forksafe first (cmake --build build)" % path)
    if not shutil.which(args.clang_tidy):
        sys.exit("%s not found" % args.clang_tidy)
    src = find_source(args)
    db = ensure_database(src, args.corpus)
    tus = units(src, db)
    all_tus = units(src, db, everything=True)
    if not tus:
        sys.exit("no translation unit of %s/src in %s" % (src, db))
    fs_flags = forksafe_flags(args.forksafe)
    print("redis: %s, %d translation units (src/*.c)" % (src, len(tus)))

    # The findings with default options.
    t0 = time.perf_counter()
    proc = subprocess.run([args.forksafe, "--exit-zero", "-p", src] + fs_flags[2:] + tus,
                          cwd=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    print("\n== forksafe findings (default options), %.1f s wall ==" % (time.perf_counter() - t0))
    sys.stdout.write(proc.stdout.decode(errors="replace"))
    summary = proc.stderr.decode(errors="replace").strip().splitlines()
    print(summary[-1] if summary else "")

    # The summaries for the plugin's whole-program mode, written once (as a build would).
    summaries = os.path.join(src, ".forksafe-bench-summaries.json")
    cpu, out, err, rc = measured([args.forksafe, "summarize", "-p", src, "-o", summaries,
                                  "--no-cache"], src)
    if rc != 0:
        sys.exit("forksafe summarize failed:\n" + err.decode(errors="replace")[-2000:])
    print("\nforksafe summarize (whole database, no cache): %.2f s CPU; %s" %
          (cpu, err.decode(errors="replace").strip().splitlines()[-1]))
    wp_config = "{CheckOptions: [{key: SummaryFile, value: '%s'}]}" % summaries

    cache_dir = os.path.join(src, ".forksafe-bench-cache")
    shutil.rmtree(cache_dir, ignore_errors=True)
    cached_flags = ["-j", "1", "--cache-dir", cache_dir]
    measured([args.forksafe, "--exit-zero", "-p", src] + cached_flags + tus, src)

    tools = {
        "baseline": lambda b: [args.clang_tidy, "-p", src, "-checks=-*," + args.trivial,
                               "-quiet"] + b,
        "plugin": lambda b: [args.clang_tidy, "-load", args.plugin, "-p", src,
                             "-checks=-*,forksafe-*", "-quiet"] + b,
        "plugin-wp": lambda b: [args.clang_tidy, "-load", args.plugin, "-p", src,
                                "-checks=-*,forksafe-*", "-config=" + wp_config, "-quiet"] + b,
        "forksafe": lambda b: [args.forksafe, "--exit-zero", "-p", src] + fs_flags + tus,
        "forksafe-2nd": lambda b: [args.forksafe, "--exit-zero", "-p", src] + cached_flags + tus,
        "baseline-db": None,  # the baseline's command over every batch of all_tus
    }
    all_batches = [all_tus[i:i + args.batch] for i in range(0, len(all_tus), args.batch)]
    names = list(tools)
    batches = [tus[i:i + args.batch] for i in range(0, len(tus), args.batch)]
    total = {n: 0.0 for n in names}
    per_round = {n: [] for n in names}
    print("\n== CPU time, %d rounds x %d batches of up to %d units, tools alternating ==" %
          (args.rounds, len(batches), args.batch), flush=True)
    for r in range(args.rounds):
        this = {n: 0.0 for n in names}
        for i, b in enumerate(batches):
            k = (i + r) % len(names)
            for n in names[k:] + names[:k]:
                if (n.startswith("forksafe") or n == "baseline-db") and i != r % len(batches):
                    continue  # once per round, over every unit
                if n == "baseline-db":
                    cpu = 0.0
                    for ab in all_batches:
                        c, _, err, rc = measured(tools["baseline"](ab), src)
                        cpu += c
                    this[n] += cpu
                    continue
                cpu, _, err, rc = measured(tools[n](b), src)
                # (forksafe runs with --exit-zero: its findings do not fail it.)
                if rc != 0:
                    sys.exit("%s failed on %s:\n%s" % (n, b, err.decode(errors="replace")[-2000:]))
                this[n] += cpu
        for n in names:
            total[n] += this[n]
            per_round[n].append(this[n])
        print("round %d: %s" % (r + 1, ", ".join("%s %.2f s" % (n, this[n]) for n in names)),
              flush=True)
    print("\ntotal CPU: %s" % ", ".join("%s %.2f s" % (n, total[n]) for n in names))
    for n in ("plugin", "plugin-wp", "forksafe", "forksafe-2nd"):
        rounds = sorted(p / b for p, b in zip(per_round[n], per_round["baseline"]))
        print("%s / baseline: %.3f x (rounds: %s)" % (
            n, total[n] / total["baseline"], ", ".join("%.3f" % x for x in rounds)))
    rounds = sorted(p / b for p, b in zip(per_round["forksafe"], per_round["baseline-db"]))
    print("forksafe / baseline-db (the %d units of the database): %.3f x (rounds: %s)" % (
        len(all_tus), total["forksafe"] / total["baseline-db"],
        ", ".join("%.3f" % x for x in rounds)))

    if args.profile:
        checks = {}
        for b in batches:
            err = subprocess.run(tools["plugin-wp"](b) + ["--enable-check-profile"], cwd=src,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE).stderr
            for line in err.decode(errors="replace").splitlines():
                # "   0.0539 ( 75.0%)   0.0181 ( 70.2%)   0.0720 ( 73.7%)   0.0722 ( 73.7%)  name"
                m = re.match(r"\s*(?:[\d.]+\s+\(\s*[\d.]+%\)\s+){2}([\d.]+)\s+\(\s*[\d.]+%\)\s+"
                             r"[\d.]+\s+\(\s*[\d.]+%\)\s+(forksafe-\S+)\s*$", line)
                if m:
                    checks[m.group(2)] = checks.get(m.group(2), 0.0) + float(m.group(1))
        print("\n== the checks' own time in plugin-wp (--enable-check-profile, user+system) ==")
        for name, secs in sorted(checks.items(), key=lambda kv: -kv[1]):
            print("%-32s %.3f s" % (name, secs))
        print("%-32s %.3f s (%.1f %% of the baseline's CPU per round)" % (
            "all", sum(checks.values()),
            100 * sum(checks.values()) / (total["baseline"] / args.rounds)))


if __name__ == "__main__":
    main()
