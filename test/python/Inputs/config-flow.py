import os
import threading
import multiprocessing as mp

import mylib.gpu
import mylib.sync
import torch


def work():
    torch.zeros(1).cuda()


def default_start():
    threading.Thread(target=work).start()
    mp.Process(target=work).start()


def configured_thread_starter():
    mylib.sync.start_background()
    os.fork()


def configured_cuda_initializer():
    mylib.gpu.init_device(0)
    mp.get_context("fork").Process(target=work).start()
