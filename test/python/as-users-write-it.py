# Process starts written the way real code writes them: managers, processes made in a
# comprehension or a loop and started in a later loop, keyword arguments passed as **kwargs
# built in the same function, start methods chosen per platform, an executor used many times.
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-fork-after-thread,forksafe-unguarded-process-start,forksafe-hardcoded-fork-context,forksafe-preexec-fn' %s | FileCheck %s --implicit-check-not='warning:'
import multiprocessing as mp
import os
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

import torch.multiprocessing as tmp


def work(i):
    return i


# A manager starts its server process when made: at import time that is an unguarded start.
manager = mp.Manager()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported{{.*}}[forksafe-unguarded-process-start]

# An executor used many times starts its workers once, at its first use: one finding.
executor = ProcessPoolExecutor(2)
executor.submit(work, 1)
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported{{.*}}[forksafe-unguarded-process-start]
executor.submit(work, 2)
list(executor.map(work, [3, 4]))

# One statement that starts processes twice: one finding.
pair = (mp.Process(target=work, args=(5,)).start(), mp.Process(target=work, args=(6,)).start())
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported{{.*}}[forksafe-unguarded-process-start]


def manager_after_thread():
    threading.Thread(target=work, args=(0,)).start()
    with mp.Manager() as shared:
# CHECK: :[[@LINE-1]]:10: warning: process started with the default start method ("fork" on Linux before Python 3.14) while threads may run{{.*}}[forksafe-fork-after-thread]
# CHECK-NEXT: :[[@LINE-3]]:5: note: thread started here
        return shared.dict()


def processes_in_a_comprehension():
    ticker = threading.Thread(target=work, args=(0,))
    ticker.start()
    procs = [mp.Process(target=work, args=(i,)) for i in range(4)]
    for p in procs:
        p.start()
# CHECK: :[[@LINE-1]]:9: warning: process started with the default start method ("fork" on Linux before Python 3.14) while threads may run{{.*}}[forksafe-fork-after-thread]
# CHECK-NEXT: :[[@LINE-5]]:5: note: thread started here
    for p in procs:
        p.join()


def spawned_in_a_comprehension():
    ticker = threading.Thread(target=work, args=(0,))
    ticker.start()
    spawn = mp.get_context("spawn")
    procs = [spawn.Process(target=work, args=(i,)) for i in range(4)]
    for p in procs:
        p.start()
    with spawn.Manager() as shared:
        return shared.dict()


def joined_before_the_loop():
    ticker = threading.Thread(target=work, args=(0,))
    ticker.start()
    ticker.join()
    workers = []
    for i in range(4):
        workers.append(mp.Process(target=work, args=(i,)))
    for w in workers:
        w.start()


def processes_appended_in_a_loop():
    threading.Timer(5.0, work, args=(0,)).start()
    workers = []
    for i in range(4):
        workers.append(mp.Process(target=work, args=(i,)))
    for w in workers:
        w.start()
# CHECK: :[[@LINE-1]]:9: warning: process started with the default start method ("fork" on Linux before Python 3.14) while threads may run{{.*}}[forksafe-fork-after-thread]
# CHECK-NEXT: :[[@LINE-7]]:5: note: timer thread started here


def kwargs_built_here(cmd):
    kw = dict(nprocs=2, start_method="fork")
# CHECK: :[[@LINE-1]]:38: warning: start method "fork" is hardcoded{{.*}}[forksafe-hardcoded-fork-context]
    tmp.start_processes(work, **kw)
    kwargs = {"cwd": "/"}
    kwargs["preexec_fn"] = os.setsid
# CHECK: :[[@LINE-1]]:28: warning: preexec_fn runs Python code in the child between fork and exec{{.*}}[forksafe-preexec-fn]
    subprocess.Popen(cmd, **kwargs)
    safe = {"preexec_fn": None}
    subprocess.Popen(cmd, **safe)


def method_per_platform():
    ctx = mp.get_context("spawn" if sys.platform == "win32" else "fork")
# CHECK: :[[@LINE-1]]:66: warning: start method "fork" is still chosen unless 'sys.platform == "win32"': it does not exist on Windows{{.*}}[forksafe-hardcoded-fork-context]
    other = mp.get_context("forkserver" if sys.platform == "linux" else "spawn")
    return ctx, other


if __name__ == "__main__":
    with mp.Manager() as m:
        print(m.list())
