# Both flow rules on: a fork after a thread start and after CUDA has two causes and two warnings;
# CUDA initialisation alone is not a thread start.
import threading
import multiprocessing as mp
import torch


def train(rank):
    torch.ones(1, device="cuda")


def cuda_only():
    torch.cuda.init()
    mp.Process(target=train, args=(0,)).start()


def thread_and_cuda():
    threading.Thread(target=print).start()
    torch.zeros(2).cuda()
    mp.Process(target=train, args=(1,)).start()
