# Both flow rules on: a fork after a thread start and after CUDA has two causes and two warnings;
# CUDA initialisation alone is not a thread start.
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-fork-after-thread,forksafe-cuda-before-fork' %s | FileCheck %s --implicit-check-not='warning:'
import threading
import multiprocessing as mp
import torch


def train(rank):
    torch.ones(1, device="cuda")


def cuda_only():
    torch.cuda.init()
    mp.Process(target=train, args=(0,)).start()
# CHECK: :[[@LINE-1]]:5: warning: process started with the default start method ("fork" on Linux before Python 3.14) after CUDA was initialised{{.*}}[forksafe-cuda-before-fork]
# CHECK-NEXT: :[[@LINE-3]]:5: note: CUDA initialised here
# CHECK-NEXT: :10:5: note: the child uses CUDA here


def thread_and_cuda():
    threading.Thread(target=print).start()
    torch.zeros(2).cuda()
    mp.Process(target=train, args=(1,)).start()
# CHECK: :[[@LINE-1]]:5: warning: process started with the default start method ("fork" on Linux before Python 3.14) after CUDA was initialised{{.*}}[forksafe-cuda-before-fork]
# CHECK-NEXT: :[[@LINE-3]]:5: note: CUDA initialised here
# CHECK-NEXT: :10:5: note: the child uses CUDA here
# CHECK: :[[@LINE-4]]:5: warning: process started with the default start method ("fork" on Linux before Python 3.14) while threads may run{{.*}}[forksafe-fork-after-thread]
# CHECK-NEXT: :[[@LINE-7]]:5: note: thread started here
