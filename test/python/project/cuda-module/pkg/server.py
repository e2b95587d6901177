import multiprocessing as mp

from .model import serve


def start_server():
    proc = mp.Process(target=serve)
    proc.start()
    return proc
