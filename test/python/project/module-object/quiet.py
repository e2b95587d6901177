"""Call start_pool() or Server.serve() under the main guard (only this docstring names them)."""
import pkg.workers
from pkg.compat import w
from pkg.server import Server

pkg.workers.describe()  # not start_pool()
w.describe()
Server().name()
