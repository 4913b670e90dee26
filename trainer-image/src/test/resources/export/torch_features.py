"""Loads an exported encoder into PyTorch with strict=True and prints its L2-normalised features.

Usage: torch_features.py FILE PIXELS COUNT DOCS_MODULE_DIR WAY [WAY ...]
  PIXELS: COUNT images of (3, S, S) uint8, RGB planes, as the trainer reads them.
  WAY: torchvision  - torchvision.models.resnetN() with the CIFAR stem swapped in (docs/export.md)
       reference    - the MLP-Mixer written below with timm's module names
       docs         - encoder_from_file of docs/export/contrastive_encoders.py
Prints one JSON object: {WAY: [[f0, f1, ...], ...], ...}.
"""
import json
import sys

import numpy as np
import torch
import torchvision
from torch import nn

torch.set_num_threads(2)
path, pixels_path, count, docs_dir, ways = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
sys.path.insert(0, docs_dir)
import contrastive_encoders as docs  # noqa: E402

state, metadata = docs.load_safetensors(path)
config = json.loads(metadata["config"])
arch = config["architecture"]
size = config["dataset"]["imageSize"]


class ReferenceMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ReferenceMixerBlock(nn.Module):
    def __init__(self, dim, tokens, channel_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_tokens = ReferenceMlp(tokens, int(0.5 * dim))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_channels = ReferenceMlp(dim, channel_hidden)

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).permute(0, 2, 1)).permute(0, 2, 1)
        return x + self.mlp_channels(self.norm2(x))


class ReferenceStem(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, patch)


class ReferenceMixer(nn.Module):
    """timm's MlpMixer(num_classes=0, global_pool='avg') module tree, written out."""

    def __init__(self, size, patch, dim, depth, mlp_ratio):
        super().__init__()
        self.stem = ReferenceStem(patch, dim)
        tokens = (size // patch) ** 2
        self.blocks = nn.Sequential(*[ReferenceMixerBlock(dim, tokens, int(mlp_ratio * dim)) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        x = self.stem.proj(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        return self.norm(self.blocks(x)).mean(dim=1)


def build(way):
    if way == "torchvision":
        model = getattr(torchvision.models, f"resnet{arch['depth']}")()
        model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        model.maxpool = nn.Identity()
        model.fc = nn.Identity()
        model.load_state_dict(state, strict=True)
        return model.eval()
    if way == "reference":
        model = ReferenceMixer(size, arch["patchSize"], arch["width"], arch["depth"], arch["mlpRatio"])
        model.load_state_dict(state, strict=True)
        return model.eval()
    if way == "docs":
        return docs.encoder_from_file(path)[0]
    raise SystemExit(f"unknown way {way}")


raw = np.fromfile(pixels_path, dtype=np.uint8).reshape(count, 3, size, size)
images = docs.normalise(torch.from_numpy(raw.astype(np.float32) / 255.0), metadata)
result = {}
with torch.no_grad():
    for way in ways:
        features = build(way)(images)
        result[way] = nn.functional.normalize(features, dim=1).tolist()
print(json.dumps(result))
