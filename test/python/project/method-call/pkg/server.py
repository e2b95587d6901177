import threading
from multiprocessing import Pool


def _square(x):
    return x * x


class Server:
    def __init__(self, port):
        self.port = port

    def start(self):
        self._thread = threading.Thread(target=self.serve, daemon=True)
        self._thread.start()

    def serve(self):
        pass


class Client:
    def start(self):
        self.connected = True


class Workers:
    def run(self, items):
        with Pool(2) as pool:
            return pool.map(_square, items)
