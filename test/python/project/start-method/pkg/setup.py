import multiprocessing


def configure():
    multiprocessing.set_start_method("spawn")
