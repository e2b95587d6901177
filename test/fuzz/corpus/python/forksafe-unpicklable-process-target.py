import functools
import multiprocessing as mp
import multiprocessing.dummy
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

import pandas as pd
import torch.multiprocessing as tmp


def work(x):
    return x


square = lambda x: x * x


def bad():
    def nested(x):
        return x

    class Job:
        def run(self, x):
            return x

    with mp.Pool(4) as pool:
        pool.map(lambda x: x + 1, range(10))
        pool.imap_unordered(nested, range(10))
        pool.apply_async(func=square)
        pool.starmap(functools.partial(nested, 1), [(1,)])
        pool.map(Job().run, [1])

    mp.Process(target=Job).start()
    mp.Process(target=lambda: None).start()
    mp.Pool(2, initializer=nested)

    executor = futures.ProcessPoolExecutor()
    executor.submit(lambda: 1)
    with ProcessPoolExecutor(initializer=lambda: None) as ex:
        list(ex.map(lambda x: x, [1]))

    ctx = mp.get_context("spawn")
    with ctx.Pool() as spawn_pool:
        spawn_pool.map(lambda x: x, [1])
    tmp.spawn(lambda rank: None, nprocs=2)


class Crawler:
    def __init__(self):
        self.pool = mp.Pool(4)
        self.threads = ThreadPool(4)
        self.either = None

    def crawl(self, urls):
        self.pool.map(lambda url: url, urls)
        self.threads.map(lambda url: url, urls)  # a thread pool
        self.either.map(lambda url: url, urls)  # a thread pool or a process pool: unknown

    def reset(self, threaded):
        self.either = mp.Pool(2)
        self.either = ThreadPool(2)


def good(frame: pd.DataFrame):
    def nested(x):
        return x

    with mp.Pool(4) as pool:
        pool.map(work, range(10))
        pool.map(functools.partial(work), range(10))
    with ThreadPool(4) as threads:
        threads.map(lambda x: x, range(10))
    with multiprocessing.dummy.Pool(2) as dummy:
        dummy.map(nested, range(10))
    with ThreadPoolExecutor() as tex:
        tex.submit(lambda: 1)
        tex.map(nested, [1])
    frame.apply(lambda row: row)
    list(map(lambda x: x, range(3)))
    sorted([3, 1], key=lambda x: -x)
    if frame.empty:
        either = ThreadPool()
    else:
        either = mp.Pool()
    either.map(lambda x: x, [1])  # a thread pool or a process pool: unknown
    unknown_pool.map(lambda x: x, [1])  # nothing says it is a process pool
    # Under fork the Process object is inherited, not pickled.
    mp.get_context("fork").Process(target=lambda: None).start()
    mp.Process(target=work).start()
