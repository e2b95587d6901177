import multiprocessing as mp

from .model import serve


def start_server():
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=serve)
    proc.start()
    fs = mp.get_context("forkserver")
    fs.Process(target=serve).start()
    return proc
