from torch.utils.data import DataLoader


def train(dataset):
    loader = DataLoader(dataset, batch_size=8, num_workers=4)
    for step, batch in enumerate(loader):
        pass
    spawned = DataLoader(dataset, num_workers=4, multiprocessing_context="spawn")
    for batch in spawned:
        pass
    for batch in DataLoader(dataset, num_workers=0):
        pass
