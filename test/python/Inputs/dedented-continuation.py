import multiprocessing as mp


def weird_positions():
    return (mp.
 get_context)("spawn")  # valid Python: inside brackets, indentation does not matter


values = [1,  # a comment inside brackets
2]
mp.get_context("fork")
