"""Reference for DistributedSamplerTests: the per-rank index lists of PyTorch's own
torch.utils.data.DistributedSampler (Debian's python3-torch 1.13) for several (size, world, seed, epoch, drop_last)
cases, written as distributed_sampler.json. Usage: /usr/bin/python3 make_sampler_fixture.py > distributed_sampler.json
"""
import json
import torch
from torch.utils.data import DistributedSampler

CASES = [  # size, world, seed, epoch, drop_last
    (10, 3, 0, 0, False), (10, 3, 0, 0, True), (10, 3, 42, 1, False), (7, 4, 5, 2, False), (2, 3, 1, 0, False),
    (100, 8, 123, 7, True), (101, 2, 42, 3, False), (5, 1, 0, 0, False), (1000, 4, 7, 11, False), (64, 2, 42, 0, True),
]

out = {"torch": torch.__version__, "cases": []}
for size, world, seed, epoch, drop_last in CASES:
    ranks = []
    for rank in range(world):
        sampler = DistributedSampler(range(size), num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=drop_last)
        sampler.set_epoch(epoch)
        ranks.append(list(sampler))
    out["cases"].append({"size": size, "world": world, "seed": seed, "epoch": epoch, "drop_last": drop_last, "ranks": ranks})
print(json.dumps(out))
