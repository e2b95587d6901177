import multiprocessing

from pkg.newmod import go


def main():
    go()
    multiprocessing.Process(target=print).start()
