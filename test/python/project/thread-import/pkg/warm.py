import threading


def _poll():
    pass


_poller = threading.Thread(target=_poll, daemon=True)
_poller.start()
