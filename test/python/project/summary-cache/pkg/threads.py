import threading


def start_ticker():
    ticker = threading.Thread(target=print, daemon=True)
    ticker.start()
