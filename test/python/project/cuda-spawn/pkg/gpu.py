import torch


def init_gpu():
    torch.cuda.init()
