import multiprocessing
def f(): pass
if __name__ == '__main__':
    multiprocessing.Process(target=f).start()
else:
    multiprocessing.Process(target=lambda: 1).start()
