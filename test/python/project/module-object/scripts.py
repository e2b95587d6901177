import pkg.workers as wk
from pkg.compat import w
from pkg.server import Server

wk.describe()
wk.start_pool()
w.start_pool()
srv = Server()
srv.name()
srv.serve()
