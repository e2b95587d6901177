"""A script that starts processes at import, with a hardcoded fork start method."""
import multiprocessing as mp
from multiprocessing import Pool


def square(x):
    return x * x


HELP = """usage:
  unguarded.py
"""
mp.set_start_method("spawn")
if __name__ == "__main__":
    with Pool(4) as pool:
        print(pool.map(square, range(4)))

    NOTE = """not indented:
keep me"""
    print(NOTE)
