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
proc = Process(target=work)
proc.start()
mp.get_context("spawn").Process(target=work).start()
executor = ProcessPoolExecutor(max_workers=2)  # starts nothing yet
future = executor.submit(work, 1)
tmp.spawn(work, nprocs=2)
for i in range(2):
    with mp.Pool() as p:
        p.map(work, [1, 2])


class Workers:
    pool = mp.Pool(2)


# --- Bad: through functions of this file called at module level --------------------------------
def start_workers():
    ctx = mp.get_context("forkserver")
    with ctx.Pool(2) as p:
        return p.map(work, range(4))


def main():
    return start_workers()


main()


class Runner:
    def __init__(self):
        self.proc = Process(target=work)
        self.proc.start()


runner = Runner()

class Launcher:
    def launch(self):
        return ProcessPoolExecutor().map(work, [1])


launcher = Launcher()
launcher.launch()

with Pipeline(name="demo") as pipeline:
    pass
pipeline.run()


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
