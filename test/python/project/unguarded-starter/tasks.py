from multiprocessing import Pool


def double(x):
    return 2 * x


def run_all(items):
    with Pool(4) as pool:
        return pool.map(double, items)
