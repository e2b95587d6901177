import multiprocessing


def square(x):
    return x * x


def run_jobs(items):
    pool = multiprocessing.Pool(2)
    return pool.map(square, items)
