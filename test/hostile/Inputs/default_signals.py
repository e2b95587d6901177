"""default_signals.py CMD [ARGS...]: runs CMD with SIGINT and SIGTERM at their default action
(a test runner may start tests with SIGINT ignored, and an ignored signal kills nothing)."""
import os
import signal
import sys

signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])
