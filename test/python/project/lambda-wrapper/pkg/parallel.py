from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def run_parallel(fn, items):
    with ProcessPoolExecutor() as ex:
        return list(ex.map(fn, items))


def run_chunks(items, fn):
    return run_parallel(fn, items)


def run_threads(fn, items):
    with ThreadPoolExecutor() as ex:
        return list(ex.map(fn, items))
