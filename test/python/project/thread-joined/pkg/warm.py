import threading


def _load():
    pass


def warm_up():
    t = threading.Thread(target=_load)
    t.start()
    t.join()


_loader = threading.Thread(target=_load)
_loader.start()
_loader.join()
