# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-unguarded-process-start' %s | FileCheck %s --implicit-check-not='warning:' --implicit-check-not='note:'
# RUN: mkdir -p %t.dir && cp %s %t.dir/__main__.py
# RUN: %expect_exit 0 %forksafe --checks='-*,forksafe-unguarded-process-start' %t.dir/__main__.py
import multiprocessing as mp
import torch.multiprocessing as tmp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import Pool, Process
from multiprocessing.pool import ThreadPool
from distilabel.pipeline import Pipeline


def work(x):
    return x


# --- Bad: process starts at module level -------------------------------------------------------
pool = Pool(4)
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported: with the spawn and forkserver start methods every child imports the main module again and fails ("bootstrapping phase"); start them under 'if __name__ == "__main__":' [forksafe-unguarded-process-start]
proc = Process(target=work)
proc.start()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
mp.get_context("spawn").Process(target=work).start()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
executor = ProcessPoolExecutor(max_workers=2)  # starts nothing yet
future = executor.submit(work, 1)
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
tmp.spawn(work, nprocs=2)
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
for i in range(2):
    with mp.Pool() as p:
# CHECK: :[[@LINE-1]]:5: warning: processes are started when the module is imported
        p.map(work, [1, 2])


class Workers:
    pool = mp.Pool(2)
# CHECK: :[[@LINE-1]]:5: warning: processes are started when the module is imported


# --- Bad: through functions of this file called at module level --------------------------------
def start_workers():
    ctx = mp.get_context("forkserver")
    with ctx.Pool(2) as p:
        return p.map(work, range(4))


def main():
    return start_workers()


main()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
# CHECK-NEXT: :[[@LINE-2]]:1: note: 'main' called here
# CHECK-NEXT: :[[@LINE-6]]:12: note: 'start_workers' called here
# CHECK-NEXT: :[[@LINE-12]]:10: note: process started here


class Runner:
    def __init__(self):
        self.proc = Process(target=work)
        self.proc.start()


runner = Runner()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
# CHECK-NEXT: :[[@LINE-2]]:10: note: 'Runner.__init__' called here
# CHECK-NEXT: :[[@LINE-6]]:9: note: process started here

class Launcher:
    def launch(self):
        return ProcessPoolExecutor().map(work, [1])


launcher = Launcher()
launcher.launch()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported
# CHECK-NEXT: :[[@LINE-2]]:1: note: 'Launcher.launch' called here
# CHECK-NEXT: :[[@LINE-7]]:16: note: process started here

with Pipeline(name="demo") as pipeline:
    pass
pipeline.run()
# CHECK: :[[@LINE-1]]:1: warning: processes are started when the module is imported


# --- Good --------------------------------------------------------------------------------------
threads = ThreadPool(4)
lazy = ProcessPoolExecutor()  # its workers start at the first submit, under the guard below
thread_executor = ThreadPoolExecutor()
fork_pool = mp.get_context("fork").Pool(2)  # a fork child does not import the module again
unknown = make_pool()
unknown.map(work, [1])


def never_called():
    with Pool() as p:
        p.map(work, [1])


def run_later():
    Process(target=work).start()


callback = run_later  # referenced, not called

if __name__ == "__main__":
    main()
    Pool(2)
    lazy.submit(work, 2)

if "__main__" == __name__:
    Process(target=work).start()

if __name__ != "__main__":
    pass
else:
    main()
