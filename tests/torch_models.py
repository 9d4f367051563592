"""PyTorch models of a few lines for ``nnsvg import torch:tests.torch_models:NAME``
(no torchvision, no pretrained weights). ``resnet18`` is the gallery's
(specs/resnet18-blocks.yaml and specs/resnet18-alexnet.yaml are its import)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")  # collected by the doctest run: skipped without torch
nn, F = torch.nn, torch.nn.functional

__all__ = ["BasicBlock", "data_dependent", "lenet", "mlp", "resnet18", "tiny_resnet", "unet"]


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3×3 convs and a shortcut (a 1×1 conv when it downsamples)."""

    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """ResNet with basic blocks (torchvision's layout and module names)."""

    def __init__(self, blocks: tuple[int, ...], widths: tuple[int, ...], classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin, stages = widths[0], []
        for k, (n, width) in enumerate(zip(blocks, widths)):
            stride = 1 if k == 0 else 2
            rest = [BasicBlock(width, width) for _ in range(n - 1)]
            stages.append(nn.Sequential(BasicBlock(cin, width, stride), *rest))
            cin = width
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18() -> nn.Module:
    """ResNet-18 (import with --input-shape 1,3,224,224)."""
    return ResNet((2, 2, 2, 2), (64, 128, 256, 512), 1000)


def tiny_resnet() -> nn.Module:
    """A ResNet of one block per stage on 32×32 images (1,3,32,32)."""
    return ResNet((1, 1, 1, 1), (8, 16, 32, 64), 10)


class UNet(nn.Module):
    """Two levels of a U-Net: the encoder's maps joined to the decoder's by torch.cat."""

    def __init__(self) -> None:
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        d = self.dec(torch.cat([self.up(e2), e1], dim=1))
        return self.head(d)


def unet() -> nn.Module:
    """(1,1,32,32)"""
    return UNet()


class DataDependent(nn.Module):
    """Control flow on the values (fx tracing and torch.export fail on it) and on the
    shape: only the branch taken is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.big = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.small = nn.Conv2d(8, 8, 1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.conv(x))
        if x.shape[-1] >= 16:  # on the shape
            y = self.big(y)
        if y.mean() > -1e9:  # on the values: always true, and never drawn
            y = y + self.small(y)
        y = F.adaptive_avg_pool2d(y, 1).flatten(1)
        return self.fc(y)


def data_dependent() -> nn.Module:
    """(1,3,16,16)"""
    return DataDependent()


def mlp() -> nn.Module:
    """A classifier of 4 features into 3 classes, with a batch norm (folded into the
    weights): the shape of the gallery's iris MLP (1,4)."""
    return nn.Sequential(
        nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(dim=1)
    )


def lenet() -> nn.Module:
    """LeNet-5 on 28×28 digits, untrained (1,1,28,28): for --activations."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 10),
    )  # fmt: skip
