# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-unpicklable-process-target' %s | FileCheck %s --implicit-check-not='warning:' --implicit-check-not='note:'
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
# CHECK: :[[@LINE-1]]:18: warning: a lambda cannot be pickled, but pool.map() pickles its function to send it to the worker processes; define the function at module level [forksafe-unpicklable-process-target]
        pool.imap_unordered(nested, range(10))
# CHECK: :[[@LINE-1]]:29: warning: nested function 'nested' cannot be pickled, but pool.imap_unordered() pickles its function to send it to the worker processes
# CHECK-NEXT: :[[@LINE-12]]:9: note: 'nested' defined here
        pool.apply_async(func=square)
# CHECK: :[[@LINE-1]]:31: warning: lambda 'square' cannot be pickled
# CHECK-NEXT: :[[@LINE-19]]:1: note: 'square' defined here
        pool.starmap(functools.partial(nested, 1), [(1,)])
# CHECK: :[[@LINE-1]]:22: warning: nested function 'nested' cannot be pickled
# CHECK-NEXT: :[[@LINE-18]]:9: note: 'nested' defined here
        pool.map(Job().run, [1])
# CHECK: :[[@LINE-1]]:18: warning: method 'run' of local class 'Job' cannot be pickled, but pool.map() pickles its function to send it to the worker processes; define the class at module level
# CHECK-NEXT: :[[@LINE-18]]:11: note: 'Job' defined here

    mp.Process(target=Job).start()
# CHECK: :[[@LINE-1]]:23: warning: local class 'Job' cannot be pickled, but mp.Process() pickles its target to start the child under the spawn and forkserver start methods; define the class at module level
# CHECK-NEXT: :[[@LINE-22]]:11: note: 'Job' defined here
    mp.Process(target=lambda: None).start()
# CHECK: :[[@LINE-1]]:23: warning: a lambda cannot be pickled, but mp.Process() pickles its target to start the child under the spawn and forkserver start methods; define the function at module level
    mp.Pool(2, initializer=nested)
# CHECK: :[[@LINE-1]]:28: warning: nested function 'nested' cannot be pickled, but mp.Pool() pickles its initializer to send it to each worker process
# CHECK-NEXT: :[[@LINE-30]]:9: note: 'nested' defined here

    executor = futures.ProcessPoolExecutor()
    executor.submit(lambda: 1)
# CHECK: :[[@LINE-1]]:21: warning: a lambda cannot be pickled, but executor.submit() pickles its function to send it to the worker processes
    with ProcessPoolExecutor(initializer=lambda: None) as ex:
# CHECK: :[[@LINE-1]]:42: warning: a lambda cannot be pickled, but ProcessPoolExecutor() pickles its initializer to send it to each worker process
        list(ex.map(lambda x: x, [1]))
# CHECK: :[[@LINE-1]]:21: warning: a lambda cannot be pickled, but ex.map() pickles its function to send it to the worker processes

    ctx = mp.get_context("spawn")
    with ctx.Pool() as spawn_pool:
        spawn_pool.map(lambda x: x, [1])
# CHECK: :[[@LINE-1]]:24: warning: a lambda cannot be pickled, but spawn_pool.map() pickles its function to send it to the worker processes
    tmp.spawn(lambda rank: None, nprocs=2)
# CHECK: :[[@LINE-1]]:15: warning: a lambda cannot be pickled, but tmp.spawn() pickles its function to send it to the worker processes


class Crawler:
    def __init__(self):
        self.pool = mp.Pool(4)
        self.threads = ThreadPool(4)
        self.either = None

    def crawl(self, urls):
        self.pool.map(lambda url: url, urls)
# CHECK: :[[@LINE-1]]:23: warning: a lambda cannot be pickled, but self.pool.map() pickles its function
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
