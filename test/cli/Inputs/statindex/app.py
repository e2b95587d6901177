import multiprocessing

from pkg.helpers import helper


def main():
    helper()
    multiprocessing.Process(target=print).start()
