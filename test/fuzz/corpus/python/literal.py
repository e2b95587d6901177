DATA = [1, -2.5e-3, 0x1F, 'a' 'b', (None, True), {1: [2, {3}]}, ]
import multiprocessing as mp
mp.set_start_method('fork')
