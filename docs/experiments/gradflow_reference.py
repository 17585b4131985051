"""PyTorch reference for `resnet experiment gradflow` (independent of ResNetSharp).

CIFAR plain/residual nets of He et al. 2015 (section 4.2: 3x3 stem, 3 stages of n basic blocks at 16/32/64,
option A zero-padded identity shortcuts), optionally without BatchNorm (nn.Identity) and with PyTorch's default
layer init instead of torchvision's Kaiming normal (fan_out, relu). One batch of N(0,1) 32x32 images with uniform
random labels, cross-entropy, train mode, at initialisation; prints each model's first-conv and last-conv gradient
norms and their ratio, over several seeds. Usage: python gradflow_reference.py [--norm none --init default]
"""
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride, residual, bn):
        super().__init__()
        norm = (lambda c: nn.BatchNorm2d(c)) if bn else (lambda c: nn.Identity())
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = norm(cout)
        self.residual, self.stride, self.pad = residual, stride, cout - cin

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.residual:
            s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
            if self.pad:
                s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
            y = y + s
        return F.relu(y)


class Net(nn.Module):
    def __init__(self, depth, residual, bn, kaiming):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16) if bn else nn.Identity()
        blocks, cin = [], 16
        for i, w in enumerate([16, 32, 64]):
            for b in range(n):
                blocks.append(Block(cin, w, 2 if (i > 0 and b == 0) else 1, residual, bn))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)
        if kaiming:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--norm", default="batch")
    p.add_argument("--init", default="kaiming")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seeds", type=int, default=5)
    a = p.parse_args()
    for name in ["plain20", "resnet20", "plain56", "resnet56", "plain110", "resnet110"]:
        for seed in range(a.seeds):
            g = torch.Generator().manual_seed(seed)
            x = torch.randn(a.batch_size, 3, 32, 32, generator=g)
            y = torch.randint(0, 10, (a.batch_size,), generator=g)
            torch.manual_seed(seed)
            net = Net(int("".join(filter(str.isdigit, name))), name.startswith("resnet"),
                      a.norm == "batch", a.init == "kaiming").train()
            F.cross_entropy(net(x), y).backward()
            convs = [m.weight.grad for m in net.modules() if isinstance(m, nn.Conv2d)]
            first32, first64 = convs[0].norm().item(), convs[0].double().norm().item()
            last64 = convs[-1].double().norm().item()
            print(f"{name:10s} seed {seed}: first {first64:.3g} (float32 norm {first32:.3g}) last {last64:.3g} "
                  f"ratio {first64 / last64 if last64 else float('nan'):.3g}")


if __name__ == "__main__":
    main()
