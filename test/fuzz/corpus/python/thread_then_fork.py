import os, threading
t = threading.Thread(target=print)
t.start()
os.fork()
