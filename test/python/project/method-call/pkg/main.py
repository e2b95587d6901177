import os

from pkg import server
from pkg.server import Client, Workers

workers = Workers()
squares = workers.run([1, 2, 3])
both = (workers.run([4]), Workers().run([5]))
client = Client()
client.start()


def serve_then_fork():
    srv = server.Server(8080)
    srv.start()
    if os.fork() == 0:
        os._exit(0)


def client_then_fork():
    local = Client()
    local.start()
    client.start()
    if os.fork() == 0:
        os._exit(0)


def unknown_then_fork(thing):
    thing.start()
    if os.fork() == 0:
        os._exit(0)


if __name__ == "__main__":
    Workers().run([6])
    client_then_fork()
    serve_then_fork()
