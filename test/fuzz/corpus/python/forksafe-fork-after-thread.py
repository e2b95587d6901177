import os
import pty
import threading
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
import jax.numpy as jnp
import grpc
import tensorflow as tf
import logging.handlers
import queue


def work():
    pass


# --- Bad: a thread started in one function, a fork in another, called in that order -------
def setup():
    t = threading.Thread(target=work, daemon=True)
    t.start()


def run():
    os.fork()


if __name__ == "__main__":
    setup()
    run()


# --- Bad: in one function; the default start method forks -------------------------------
def default_method():
    timer = threading.Timer(5.0, work)
    timer.start()
    p = mp.Process(target=work)
    p.start()


def explicit_fork_context_in_executor():
    with ThreadPoolExecutor(max_workers=2) as ex:
        ex.submit(work)
        mp.get_context("fork").Process(target=work).start()


def thread_pool_then_pty():
    pool = ThreadPool(4)
    pty.fork()


def threads_joined_too_late():
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    with mp.Pool(2) as pool:
        pool.map(abs, [1, 2])
    for t in threads:
        t.join()


def jax_then_fork():
    x = jnp.ones(3)
    os.fork()


def grpc_channel_then_pool():
    channel = grpc.insecure_channel("localhost:50051")
    ctx = mp.get_context("fork")
    ctx.Pool(2)


def set_fork_after_thread():
    t = threading.Thread(target=work)
    t.start()
    mp.set_start_method("fork", force=True)
    mp.Process(target=work).start()


class Server:
    def __init__(self):
        self._thread = threading.Thread(target=self.serve)
        self._thread.start()

    def serve(self):
        pass

    def stop(self):
        self._thread.join()


def server_then_fork():
    server = Server()
    os.forkpty()


def loop_carried():
    for _ in range(3):
        os.fork()
        threading.Thread(target=work).start()


def appended_then_forked():
    threads = []
    for _ in range(2):
        t = threading.Thread(target=work)
        t.start()
        threads.append(t)
    os.fork()


class Ticker(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.start()


def self_starting_thread():
    ticker = Ticker()
    os.fork()


def log_listener_then_fork():
    listener = logging.handlers.QueueListener(queue.Queue())
    listener.start()
    os.fork()


def start_worker():
    worker = threading.Thread(target=work)
    worker.start()
    return worker


def stop_worker(thread):
    thread.join()


def returned_not_joined():
    w = start_worker()
    os.fork()


def process_executor_used_after_thread():
    ex = ProcessPoolExecutor(mp_context=mp.get_context("fork"))
    threading.Thread(target=work).start()
    ex.submit(work)
    ex.submit(work)


# --- Good: a fork before any thread starts ----------------------------------------------------
def fork_first():
    os.fork()
    threading.Thread(target=work).start()


# --- Good: threads joined, or the executor's block ended, before the fork -----------------------
def joined_before():
    t = threading.Thread(target=work)
    t.start()
    t.join()
    os.fork()


def joined_through_list():
    threads = []
    for _ in range(2):
        t = threading.Thread(target=work)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    os.fork()


def appended_before_start_then_joined():
    threads = []
    for _ in range(2):
        t = threading.Thread(target=work)
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    os.fork()


def comprehension_joined():
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mp.Process(target=work).start()


def executor_block_ended():
    with ThreadPoolExecutor() as ex:
        ex.submit(work)
    mp.Process(target=work).start()


def executor_shut_down():
    ex = ThreadPoolExecutor()
    ex.submit(work)
    ex.shutdown()
    os.fork()


def pool_joined():
    pool = ThreadPool(2)
    pool.close()
    pool.join()
    os.fork()


def server_stopped():
    server = Server()
    server.stop()
    os.fork()


def log_listener_stopped():
    listener = logging.handlers.QueueListener(queue.Queue())
    listener.start()
    listener.stop()
    os.fork()


def returned_and_joined():
    w = start_worker()
    w.join()
    os.fork()


def joined_by_a_helper():
    w = start_worker()
    stop_worker(w)
    os.fork()


def process_executor_used_before_thread():
    ex = ProcessPoolExecutor(mp_context=mp.get_context("fork"))
    ex.submit(work)
    threading.Thread(target=work).start()
    ex.submit(work)


def tensorflow_helpers_only():
    tf.get_logger().setLevel("ERROR")
    tf.random.set_seed(0)
    tf.io.gfile.exists("/tmp")
    os.fork()


def tensorflow_op_then_fork():
    tf.constant([1, 2])
    os.fork()


def executor_unused():
    ex = ThreadPoolExecutor()
    os.fork()


def thread_made_not_started():
    t = threading.Thread(target=work)
    os.fork()


def exits_in_branch():
    if os.environ.get("X"):
        threading.Thread(target=work).start()
        return
    os.fork()


# --- Good: spawn and forkserver contexts ---------------------------------------------------
def spawn_context():
    threading.Thread(target=work).start()
    mp.get_context("spawn").Process(target=work).start()
    mp.get_context("forkserver").Pool(2)
    ProcessPool = mp.get_context("spawn").Pool
    with ThreadPoolExecutor() as ex:
        ex.submit(work)
        mp.get_context("spawn").Process(target=work).start()


# --- Good: not threads -------------------------------------------------------------------
class Thread:
    def start(self):
        pass


def user_class_named_thread():
    Thread().start()
    os.fork()


def unknown_starter(thing):
    thing.start()
    os.fork()
